import Foundation
import ResetPressEngine

/// Makes and checks the admin API's tokens: `rpt_` and 43 URL-safe random characters (256 bits),
/// stored only as their HMAC under the install secret, like codes. The token is in clear once: in
/// what ``issue(name:scopes:expiresAt:now:)`` returns.
public struct APITokens: Sendable {
    /// What every token starts with, so a token is told from a password at a glance.
    public static let prefix = "rpt_"

    let store: any APITokenStore
    let secret: InstallSecret

    public init(store: any APITokenStore, secret: InstallSecret) {
        self.store = store
        self.secret = secret
    }

    /// A new token named `name` with `scopes`, working until `expiresAt` (nil: until revoked); its
    /// audit record, by `actor`, commits with it.
    public func issue(name: String, scopes: [APITokenScope], expiresAt: Date?, now: Date, by actor: AuditActor) async throws -> (token: String, record: APIToken) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = Self.prefix + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let record = try await store.add(name: name, scopes: scopes.map(\.rawValue), hash: secret.hash(token), expiresAt: expiresAt, now: now, by: actor)
        return (token, record)
    }

    /// The active token `presented` is (hashed under any install key, the current first), its last
    /// use stamped `now`; nil for anything else.
    public func authenticate(_ presented: String, now: Date) async throws -> APIToken? {
        guard presented.hasPrefix(Self.prefix) else { return nil }
        for hash in secret.hashes(presented) {
            if let token = try await store.use(hash: hash, now: now) { return token }
        }
        return nil
    }

    /// Every token, newest first (never the token itself).
    public func list() async throws -> [APIToken] {
        try await store.list()
    }

    /// Revokes token `id`, with its audit record by `actor`; false when no active token has that id.
    public func revoke(id: Int64, now: Date, by actor: AuditActor) async throws -> Bool {
        try await store.revoke(id: id, now: now, by: actor)
    }
}
