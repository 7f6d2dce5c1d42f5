import Foundation
import Synchronization

/// API tokens in memory, for tests and embedding.
public final class MemoryAPITokenStore: APITokenStore {
    private let tokens = Mutex<[(hash: Data, token: APIToken)]>([])

    public init() {}

    public func add(name: String, scopes: [String], hash: Data, expiresAt: Date?, now: Date) async throws -> APIToken {
        tokens.withLock { tokens in
            let token = APIToken(
                id: Int64(tokens.count + 1), name: name, scopes: scopes, createdAt: now, expiresAt: expiresAt, lastUsedAt: nil, revokedAt: nil)
            tokens.append((hash, token))
            return token
        }
    }

    public func use(hash: Data, now: Date) async throws -> APIToken? {
        tokens.withLock { tokens in
            guard let index = tokens.firstIndex(where: { $0.hash == hash }), tokens[index].token.isActive(at: now) else { return nil }
            let old = tokens[index].token
            let used = APIToken(
                id: old.id, name: old.name, scopes: old.scopes, createdAt: old.createdAt, expiresAt: old.expiresAt, lastUsedAt: now, revokedAt: nil)
            tokens[index].token = used
            return used
        }
    }

    public func list() async throws -> [APIToken] {
        tokens.withLock { $0.map(\.token).reversed() }
    }

    public func revoke(id: Int64, now: Date) async throws -> Bool {
        tokens.withLock { tokens in
            guard let index = tokens.firstIndex(where: { $0.token.id == id && $0.token.revokedAt == nil }) else { return false }
            let old = tokens[index].token
            tokens[index].token = APIToken(
                id: old.id, name: old.name, scopes: old.scopes, createdAt: old.createdAt, expiresAt: old.expiresAt,
                lastUsedAt: old.lastUsedAt, revokedAt: now)
            return true
        }
    }
}
