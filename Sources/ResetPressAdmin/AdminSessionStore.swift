import Crypto
import Foundation
import Synchronization

/// One admin browser session: anonymous (holding the sign-in form's CSRF token) or signed in.
public struct AdminSession: Sendable, Equatable {
    /// The random id carried by the session cookie (64 hex characters).
    public let id: String
    /// The CSRF token every form and state-changing API call of this session must carry.
    public let csrfToken: String
    /// Whether the admin password was presented.
    public let isSignedIn: Bool
    /// SHA-256 of the password hash in force at sign-in: a new admin password ends the session.
    let passwordFingerprint: Data?
    let createdAt: Date
    var lastSeen: Date
    /// Notices shown once on the next page.
    var flash: [AdminNotice] = []
}

/// A one-line notice on an admin page.
public struct AdminNotice: Sendable, Equatable {
    /// `success` or `error` (the CSS class).
    public let kind: String
    /// The sentence shown.
    public let text: String

    /// A notice of `kind` (`success` or `error`).
    public init(kind: String, text: String) {
        self.kind = kind
        self.text = text
    }
}

/// The admin sessions, kept in memory: a restart signs everyone out.
///
/// Anonymous sessions live 30 minutes; signed-in ones end after `idleTimeout` without a request
/// and 12 hours after sign-in whatever happens. At most `capacity` sessions are kept: when full,
/// expired ones are dropped first, then the oldest anonymous ones, then the oldest of all.
public final class AdminSessionStore: Sendable {
    /// How long an anonymous (sign-in form) session lives.
    public static let anonymousLifetime: TimeInterval = 30 * 60
    /// The longest a signed-in session lives.
    public static let absoluteLifetime: TimeInterval = 12 * 3600

    private let sessions = Mutex<[String: AdminSession]>([:])
    private let capacity: Int
    private let clock: @Sendable () -> Date

    /// An empty store holding at most `capacity` sessions.
    public init(capacity: Int = 10_000, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// A new anonymous session (for the sign-in form's CSRF token).
    public func startAnonymous() -> AdminSession {
        insert(AdminSession(id: Self.randomToken(), csrfToken: Self.randomToken(), isSignedIn: false, passwordFingerprint: nil, createdAt: clock(), lastSeen: clock()))
    }

    /// Ends `previous` (if any) and starts a signed-in session with a new id and CSRF token, so an
    /// id planted before sign-in is worth nothing after it.
    public func signIn(replacing previous: String?, passwordHash: String) -> AdminSession {
        if let previous { end(previous) }
        let now = clock()
        return insert(AdminSession(
            id: Self.randomToken(), csrfToken: Self.randomToken(), isSignedIn: true,
            passwordFingerprint: Self.fingerprint(passwordHash), createdAt: now, lastSeen: now))
    }

    /// The live session with this id, its last-seen time moved to now; nil (and the session
    /// dropped) when it expired or, signed in, when the admin password changed since.
    public func session(id: String, idleTimeout: TimeInterval, passwordHash: String) -> AdminSession? {
        let now = clock()
        return sessions.withLock { sessions -> AdminSession? in
            guard var session = sessions[id] else { return nil }
            guard Self.isLive(session, now: now, idleTimeout: idleTimeout),
                  !session.isSignedIn || session.passwordFingerprint == Self.fingerprint(passwordHash)
            else {
                sessions[id] = nil
                return nil
            }
            session.lastSeen = now
            sessions[id] = session
            return session
        }
    }

    /// Ends a session (sign-out); ending an unknown id does nothing.
    public func end(_ id: String) {
        sessions.withLock { _ = $0.removeValue(forKey: id) }
    }

    /// Adds a notice for the session's next page.
    public func addNotice(_ notice: AdminNotice, to id: String) {
        sessions.withLock { $0[id]?.flash.append(notice) }
    }

    /// The session's pending notices, removed from it.
    public func takeNotices(_ id: String) -> [AdminNotice] {
        sessions.withLock { sessions -> [AdminNotice] in
            let notices = sessions[id]?.flash ?? []
            sessions[id]?.flash = []
            return notices
        }
    }

    /// How many sessions are kept.
    public var count: Int { sessions.withLock { $0.count } }

    private func insert(_ session: AdminSession) -> AdminSession {
        let now = clock()
        sessions.withLock { sessions in
            if sessions.count >= capacity {
                sessions = sessions.filter { Self.isLive($0.value, now: now, idleTimeout: Self.absoluteLifetime) }
            }
            if sessions.count >= capacity {
                let victims = sessions.values.sorted { ($0.isSignedIn ? 1 : 0, $0.lastSeen) < ($1.isSignedIn ? 1 : 0, $1.lastSeen) }
                for victim in victims.prefix(sessions.count - capacity + 1) { sessions[victim.id] = nil }
            }
            sessions[session.id] = session
        }
        return session
    }

    private static func isLive(_ session: AdminSession, now: Date, idleTimeout: TimeInterval) -> Bool {
        if session.isSignedIn {
            return now.timeIntervalSince(session.lastSeen) < idleTimeout && now.timeIntervalSince(session.createdAt) < absoluteLifetime
        }
        return now.timeIntervalSince(session.createdAt) < anonymousLifetime
    }

    /// 32 random bytes as 64 lowercase hex characters.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    /// SHA-256 of a password hash.
    static func fingerprint(_ passwordHash: String) -> Data {
        Data(SHA256.hash(data: Data(passwordHash.utf8)))
    }
}
