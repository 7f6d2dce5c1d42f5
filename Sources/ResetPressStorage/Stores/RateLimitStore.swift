import Foundation

/// Request counters per key (a client IP, an account) in fixed time windows, shared by every
/// node that uses the same store, so a limit holds for the whole cluster.
///
/// Windows are `windowSeconds` long and start at multiples of it since 1970 (UTC), as
/// `MemoryRateLimitStore`'s do.
public protocol RateLimitStore: Sendable {
    /// Counts one hit for `key` in the window that contains `now`, atomically across nodes, and
    /// returns that window's count, this hit included. A `windowSeconds` below 1 counts as 1.
    func hit(key: String, windowSeconds: Int, now: Date) async throws -> Int

    /// The count of `key` in the window of `windowSeconds` that contains `now`, without counting
    /// a hit: 0 when nothing was counted there. A `windowSeconds` below 1 counts as 1.
    func count(key: String, windowSeconds: Int, now: Date) async throws -> Int

    /// Deletes every counter of `key`, whatever its window (a limit cleared after a success);
    /// removing an unknown key does nothing.
    func remove(key: String) async throws

    /// Deletes the counters of windows that ended at or before `now`; returns how many.
    func deleteExpired(now: Date) async throws -> Int
}

extension RateLimitStore {
    /// Counts a request and applies `limit` per window, with this answer:
    /// nil when allowed, otherwise the seconds until the window ends (at least 1). A `limit`
    /// of 0 or less is off: nothing is counted and every request is allowed.
    public func admit(_ key: String, limit: Int, windowSeconds: Int = 60, now: Date) async throws -> Int? {
        guard limit > 0 else { return nil }
        let window = max(1, windowSeconds)
        let count = try await hit(key: key, windowSeconds: window, now: now)
        guard count > limit else { return nil }
        return RateLimitWindow.secondsLeft(windowSeconds: window, now: now)
    }

    /// Applies `limit` per window without counting a hit: nil while `key` has fewer than `limit`
    /// hits in the window containing `now`, otherwise the seconds until that window ends (at
    /// least 1). A `limit` of 0 or less is off (always nil).
    public func retryAfter(_ key: String, limit: Int, windowSeconds: Int, now: Date) async throws -> Int? {
        guard limit > 0 else { return nil }
        let window = max(1, windowSeconds)
        guard try await count(key: key, windowSeconds: window, now: now) >= limit else { return nil }
        return RateLimitWindow.secondsLeft(windowSeconds: window, now: now)
    }
}

/// Arithmetic of the fixed windows every rate-limit store uses.
enum RateLimitWindow {
    /// Seconds from `now` until its window of `windowSeconds` ends, at least 1.
    static func secondsLeft(windowSeconds: Int, now: Date) -> Int {
        let window = max(1, windowSeconds)
        let seconds = Int(now.timeIntervalSince1970.rounded(.down))
        return max(1, window - ((seconds % window) + window) % window)
    }
}
