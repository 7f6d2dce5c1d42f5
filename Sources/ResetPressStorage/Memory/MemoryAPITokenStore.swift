import Foundation
import ResetPressEngine
import Synchronization

/// API tokens in memory, for tests and embedding.
public final class MemoryAPITokenStore: APITokenStore {
    private let tokens = Mutex<[(hash: Data, token: APIToken)]>([])

    /// Where its changes' audit records go (nil keeps none).
    private let audit: MemoryAuditStore?

    /// Creates a store with no tokens, recording its audited changes in `audit`.
    public init(audit: MemoryAuditStore? = nil) {
        self.audit = audit
    }

    public func add(name: String, scopes: [String], hash: Data, expiresAt: Date?, now: Date, by actor: AuditActor?) async throws -> APIToken {
        tokens.withLock { tokens in
            let token = APIToken(
                id: Int64(tokens.count + 1), name: name, scopes: scopes, createdAt: now, expiresAt: expiresAt, lastUsedAt: nil, revokedAt: nil)
            tokens.append((hash, token))
            if let actor { audit?.append([.tokenAdded(token, by: actor)]) }
            return token
        }
    }

    public func use(hash: Data, now: Date) async throws -> APIToken? {
        tokens.withLock { tokens in
            guard let index = tokens.firstIndex(where: { $0.hash == hash }), tokens[index].token.isActive(at: now) else { return nil }
            tokens[index].token.lastUsedAt = now
            return tokens[index].token
        }
    }

    public func list() async throws -> [APIToken] {
        tokens.withLock { $0.map(\.token).reversed() }
    }

    public func revoke(id: Int64, now: Date, by actor: AuditActor?) async throws -> Bool {
        tokens.withLock { tokens in
            guard let index = tokens.firstIndex(where: { $0.token.id == id && $0.token.revokedAt == nil }) else { return false }
            tokens[index].token.revokedAt = now
            if let actor { audit?.append([.tokenRevoked(id: id, at: now, by: actor)]) }
            return true
        }
    }
}
