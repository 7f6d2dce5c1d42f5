import Crypto
import Foundation

/// The admin's browser sessions, kept in the site's database so every node that shares it
/// knows them (a sign-in on one node holds on the others, and survives restarts).
///
/// A session is stored under the SHA-256 of its id (the cookie value), never the id itself:
/// whoever reads the table cannot sign in with what it holds. Sessions are live while:
/// - anonymous (the sign-in form's CSRF token): less than `AdminSessionPolicy.anonymousLifetime`
///   since creation;
/// - signed in: less than the idle timeout (`admin.session_minutes`) since the last request, less
///   than `AdminSessionPolicy.absoluteLifetime` since sign-in, and the admin password unchanged
///   (its fingerprint, the SHA-256 of the password hash, equals the one stored at sign-in).
///
/// Use the intention-named methods of the extension (`startAnonymous`, `signIn`, `session`, ...);
/// the requirements below are the storage primitives they are made of.
public protocol AdminSessionStore: Sendable {
    /// Stores `record` with no notices, in one transaction after making room: deletes the sessions
    /// expired at `now` by the fixed lifetimes (anonymous ones after `anonymousLifetime`, every one
    /// after `absoluteLifetime`), then, while `capacity` or more remain, the least recently seen
    /// anonymous sessions, then the least recently seen signed-in ones. A `capacity` below 1 counts as 1.
    func insert(_ record: AdminSessionRecord, capacity: Int, now: Date) async throws

    /// In one atomic statement: when the session stored under `idHash` is live at `now` (see the
    /// protocol's summary; anonymous sessions ignore `passwordFingerprint`), sets its last-seen
    /// time to `now` and returns it so updated; otherwise changes nothing and returns nil.
    func touch(idHash: Data, idleTimeout: TimeInterval, passwordFingerprint: Data, now: Date) async throws -> AdminSessionRecord?

    /// Deletes the session stored under `idHash`; false when there was none.
    func remove(idHash: Data) async throws -> Bool

    /// Appends `notice` to the session's pending notices, atomically; does nothing for an unknown session.
    func appendNotice(_ notice: AdminNotice, idHash: Data) async throws

    /// The session's pending notices in the order they were added, cleared in the same atomic
    /// step so each is returned once; empty for an unknown session.
    func takeNotices(idHash: Data) async throws -> [AdminNotice]

    /// How many sessions are stored, expired ones included.
    func count() async throws -> Int

    /// Deletes every session not live at `now` with `idleTimeout` (whatever its password
    /// fingerprint); returns how many. Run it from a periodic job.
    func deleteExpired(idleTimeout: TimeInterval, now: Date) async throws -> Int
}

/// One stored admin session.
public struct AdminSessionRecord: Sendable, Equatable {
    /// SHA-256 of the session id carried by the cookie.
    public let idHash: Data
    /// The CSRF token every form and state-changing call of the session must carry.
    public let csrfToken: String
    /// Whether the admin password was presented.
    public let isSignedIn: Bool
    /// SHA-256 of the admin password hash in force at sign-in; nil for anonymous sessions.
    public let passwordFingerprint: Data?
    /// When the session started (sign-in for a signed-in one).
    public let createdAt: Date
    /// The last request that used the session.
    public let lastSeen: Date

    /// A record of these values.
    public init(idHash: Data, csrfToken: String, isSignedIn: Bool, passwordFingerprint: Data?, createdAt: Date, lastSeen: Date) {
        self.idHash = idHash
        self.csrfToken = csrfToken
        self.isSignedIn = isSignedIn
        self.passwordFingerprint = passwordFingerprint
        self.createdAt = createdAt
        self.lastSeen = lastSeen
    }
}

/// A one-line notice on an admin page, kept with the session until shown.
public struct AdminNotice: Sendable, Equatable, Codable {
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

/// The lifetimes and bounds every `AdminSessionStore` applies, and how ids are hashed.
public enum AdminSessionPolicy {
    /// How long an anonymous (sign-in form) session lives.
    public static let anonymousLifetime: TimeInterval = 30 * 60
    /// The longest a signed-in session lives, however active.
    public static let absoluteLifetime: TimeInterval = 12 * 3600
    /// How many sessions are kept at most, unless the caller says otherwise.
    public static let defaultCapacity = 10_000

    /// What the store keeps of a session id: its SHA-256.
    public static func idHash(_ id: String) -> Data {
        sha256(id)
    }

    /// What a signed-in session keeps of the admin password hash: its SHA-256.
    public static func fingerprint(_ passwordHash: String) -> Data {
        sha256(passwordHash)
    }

    /// 32 random bytes as 64 lowercase hex characters (a session id, a CSRF token).
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    private static func sha256(_ text: String) -> Data {
        Data(SHA256.hash(data: Data(text.utf8)))
    }
}
