import Foundation
import Synchronization

/// Counts requests per client IP in one-minute windows (`reset_password.ip_limit_per_minute`).
///
/// Kept in memory: a restart forgets the counts, which errs on the side of letting people in.
/// Old windows are swept as new ones start, so memory is bounded by the IPs seen in a minute.
public final class IPRateLimiter: Sendable {
    private struct State {
        var windowStart: Int = 0
        var counts: [String: Int] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Counts a request; returns nil when allowed, or the seconds until the window ends.
    public func admit(_ ip: String, limit: Int, now: Date) -> Int? {
        guard limit > 0 else { return nil }
        let seconds = Int(now.timeIntervalSince1970)
        let window = seconds - seconds % 60
        return state.withLock { state -> Int? in
            if state.windowStart != window {
                state.windowStart = window
                state.counts.removeAll(keepingCapacity: true)
            }
            let count = state.counts[ip, default: 0] + 1
            state.counts[ip] = count
            return count > limit ? max(1, window + 60 - seconds) : nil
        }
    }
}
