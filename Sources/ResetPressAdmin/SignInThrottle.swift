import Foundation
import ResetPressStorage

/// Limits wrong admin passwords per client IP, counted in the site's `RateLimitStore` under
/// `admin-sign-in:<ip>`, so every node sharing the store enforces one limit for the site.
///
/// The windows are fixed (`window` seconds long, starting at multiples of it since 1970), like
/// the other limits: after `limit` failures in a window, further tries from that IP are refused
/// until the window ends. At a window's edge an IP may so get up to twice `limit` tries in a
/// short span, which still bounds guessing to `limit` per window on average. A success clears
/// the IP's count.
public struct SignInThrottle: Sendable {
    /// Failures allowed per IP within a window.
    public let limit: Int
    /// The window's length in seconds.
    public let window: Int
    private let store: any RateLimitStore

    /// A throttle on `store` allowing `limit` failures per IP per `window` seconds (5 per 15 minutes by default).
    public init(store: any RateLimitStore, limit: Int = 5, window: Int = 15 * 60) {
        self.store = store
        self.limit = max(1, limit)
        self.window = max(1, window)
    }

    /// Nil when `ip` may try now, or the whole seconds until it may.
    public func retryAfter(_ ip: String, now: Date) async throws -> Int? {
        try await store.retryAfter(Self.key(ip), limit: limit, windowSeconds: window, now: now)
    }

    /// Counts a wrong password from `ip`.
    public func recordFailure(_ ip: String, now: Date) async throws {
        _ = try await store.hit(key: Self.key(ip), windowSeconds: window, now: now)
    }

    /// Forgets the failures of `ip` (after a successful sign-in).
    public func reset(_ ip: String) async throws {
        try await store.remove(key: Self.key(ip))
    }

    /// The counter's key for `ip`.
    static func key(_ ip: String) -> String {
        "admin-sign-in:\(ip)"
    }
}
