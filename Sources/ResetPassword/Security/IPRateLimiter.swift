import Foundation
import ResetPressStorage

/// Applies `reset_password.ip_limit_per_minute` per client IP in one-minute windows, through
/// the site's `RateLimitStore`.
///
/// With the in-memory store (one node, SQLite) a request is counted without suspending; with a
/// shared store (PostgreSQL) every node counts in the same row, so the limit holds for the cluster.
struct IPRateLimiter: Sendable {
    private enum Counter: Sendable {
        case memory(MemoryRateLimitStore)
        case shared(any RateLimitStore)
    }

    private let counter: Counter

    init(store: any RateLimitStore) {
        if let memory = store as? MemoryRateLimitStore {
            counter = .memory(memory)
        } else {
            counter = .shared(store)
        }
    }

    /// Counts a request; returns nil when allowed, or the seconds until the window ends.
    func admit(_ ip: String, limit: Int, now: Date) async throws -> Int? {
        let key = "reset_password.ip:" + ip
        switch counter {
        case .memory(let store): return store.admitNow(key, limit: limit, now: now)
        case .shared(let store): return try await store.admit(key, limit: limit, now: now)
        }
    }
}
