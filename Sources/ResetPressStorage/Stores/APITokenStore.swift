import Foundation
import ResetPressEngine

/// A token a script sends to the admin API instead of the admin password: named, scoped, revocable.
/// Only its keyed hash is stored; the token itself is shown once, when it is made.
public struct APIToken: Sendable, Equatable {
    public let id: Int64
    /// What the owner called it (`deploy-script`), shown in lists and logs.
    public let name: String
    /// What it may do: names from ``APITokenScope``.
    public let scopes: [String]
    public let createdAt: Date
    /// When it stops working; nil for never.
    public let expiresAt: Date?
    /// When the admin API last accepted it; nil when never used.
    public internal(set) var lastUsedAt: Date?
    /// When it was revoked; nil while it works.
    public internal(set) var revokedAt: Date?

    public init(id: Int64, name: String, scopes: [String], createdAt: Date, expiresAt: Date?, lastUsedAt: Date?, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether it is neither revoked nor expired at `now`.
    public func isActive(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { $0 > now } ?? true)
    }
}

/// What an API token may do; each admin API route needs one.
public enum APITokenScope: String, Sendable, CaseIterable {
    /// Read settings, auth codes and the mail queue; preview mail.
    case read
    /// Write settings.
    case settings
    /// Add and remove auth codes.
    case authCodes = "auth-codes"
    /// Retry mail.
    case mail
    /// Start bulk resets.
    case bulk
    /// Manage API tokens.
    case tokens
    /// Act for one user: send a reset, make a hand-over link, expire a password, lift a block.
    case users
}

/// The admin API's tokens, shared by every node of a shared database.
public protocol APITokenStore: Sendable {
    /// Stores a token by its keyed hash `hash` (never the token) and returns it; when `actor` is
    /// given, its audit record commits with it.
    func add(name: String, scopes: [String], hash: Data, expiresAt: Date?, now: Date, by actor: AuditActor?) async throws -> APIToken

    /// The token whose hash is `hash` when it is active at `now`, with its last use stamped `now`;
    /// nil for an unknown, revoked or expired token (and nothing is stamped).
    func use(hash: Data, now: Date) async throws -> APIToken?

    /// Every token, revoked and expired ones included, newest first.
    func list() async throws -> [APIToken]

    /// Revokes token `id` at `now`, and, when `actor` is given and it was active, records that in
    /// the same transaction; false when no active token has that id.
    func revoke(id: Int64, now: Date, by actor: AuditActor?) async throws -> Bool
}

extension APITokenStore {
    /// Stores a token with no audit record (tests).
    public func add(name: String, scopes: [String], hash: Data, expiresAt: Date?, now: Date) async throws -> APIToken {
        try await add(name: name, scopes: scopes, hash: hash, expiresAt: expiresAt, now: now, by: nil)
    }

    /// Revokes a token with no audit record (tests).
    public func revoke(id: Int64, now: Date) async throws -> Bool {
        try await revoke(id: id, now: now, by: nil)
    }
}
