import Foundation
import ResetPressStorage

/// Applies `reset_password.ip_limit_per_minute` per client IP in one-minute windows, through
/// the site's `RateLimitStore`.
///
/// With the in-memory store (one node, SQLite) nothing suspends; with a shared store
/// (PostgreSQL) every node counts in the same row, so the limit holds for the cluster.
struct IPRateLimiter: Sendable {
    let store: any RateLimitStore

    init(store: any RateLimitStore) {
        self.store = store
    }

    /// Counts a request; returns nil when allowed, or the seconds until the window ends.
    func admit(_ ip: String, limit: Int, now: Date) async throws -> Int? {
        try await store.admit("reset_password.ip:" + ip, limit: limit, now: now)
    }
}
