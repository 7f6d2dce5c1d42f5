import Foundation
import Synchronization

/// Limits wrong admin passwords per client IP: after `limit` failures within `window`, further
/// tries from that IP are refused until the oldest failure leaves the window.
///
/// Kept in memory: a restart forgets the counts. A success clears the IP's failures. At most
/// `capacity` IPs are tracked; when full, IPs whose failures all left the window are dropped,
/// then the IPs with the oldest last failure.
public final class SignInThrottle: Sendable {
    /// Failures allowed per IP within the window.
    public let limit: Int
    /// The sliding window.
    public let window: TimeInterval
    private let capacity: Int
    private let failures = Mutex<[String: [Date]]>([:])

    /// A throttle allowing `limit` failures per IP per `window` seconds (5 per 15 minutes by default).
    public init(limit: Int = 5, window: TimeInterval = 15 * 60, capacity: Int = 10_000) {
        self.limit = max(1, limit)
        self.window = window
        self.capacity = max(1, capacity)
    }

    /// Nil when `ip` may try now, or the whole seconds until it may.
    public func retryAfter(_ ip: String, now: Date) -> Int? {
        failures.withLock { failures -> Int? in
            let recent = (failures[ip] ?? []).filter { now.timeIntervalSince($0) < window }
            failures[ip] = recent.isEmpty ? nil : recent
            guard recent.count >= limit, let oldest = recent.first else { return nil }
            return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
        }
    }

    /// Counts a wrong password from `ip`.
    public func recordFailure(_ ip: String, now: Date) {
        failures.withLock { failures in
            if failures[ip] == nil && failures.count >= capacity {
                failures = failures.filter { $0.value.contains { now.timeIntervalSince($0) < window } }
                if failures.count >= capacity {
                    let oldest = failures.min { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }
                    if let oldest { failures[oldest.key] = nil }
                }
            }
            var list = failures[ip, default: []].filter { now.timeIntervalSince($0) < window }
            list.append(now)
            failures[ip] = Array(list.suffix(limit))
        }
    }

    /// Forgets the failures of `ip` (after a successful sign-in).
    public func reset(_ ip: String) {
        failures.withLock { _ = $0.removeValue(forKey: ip) }
    }
}
