import Foundation
import PostgresNIO
import ResetPressEngine
import ResetPressStorage

/// API tokens in PostgreSQL (migration `v14-api-tokens`), shared by every node.
public struct PostgresAPITokenStore: APITokenStore {
    let client: PostgresClient

    public func add(name: String, scopes: [String], hash: Data, expiresAt: Date?, now: Date, by actor: AuditActor?) async throws -> APIToken {
        try await client.transaction { connection in
            let rows = try await connection.rows("""
                INSERT INTO api_tokens (name, scopes, token_hash, created_at, expires_at)
                VALUES (\(name), \(scopes.joined(separator: ",")), \(hash), \(now.databaseSeconds), \(expiresAt?.databaseSeconds))
                RETURNING id
                """)
            let id = try rows.first?.decode(Int64.self) ?? 0
            let token = APIToken(id: id, name: name, scopes: scopes, createdAt: now, expiresAt: expiresAt, lastUsedAt: nil, revokedAt: nil)
            if let actor { try await PostgresAuditStore.insert([.tokenAdded(token, by: actor)], on: connection) }
            return token
        }
    }

    public func use(hash: Data, now: Date) async throws -> APIToken? {
        try await client.rows("""
            UPDATE api_tokens SET last_used_at = \(now.databaseSeconds)
            WHERE token_hash = \(hash) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > \(now.databaseSeconds))
            RETURNING id, name, scopes, created_at, expires_at, last_used_at, revoked_at
            """).first.map(Self.token(from:))
    }

    public func list() async throws -> [APIToken] {
        try await client.rows("SELECT id, name, scopes, created_at, expires_at, last_used_at, revoked_at FROM api_tokens ORDER BY id DESC")
            .map(Self.token(from:))
    }

    public func revoke(id: Int64, now: Date, by actor: AuditActor?) async throws -> Bool {
        try await client.transaction { connection in
            let revoked = try await connection.rows(
                "UPDATE api_tokens SET revoked_at = \(now.databaseSeconds) WHERE id = \(id) AND revoked_at IS NULL RETURNING id")
            guard !revoked.isEmpty else { return false }
            if let actor { try await PostgresAuditStore.insert([.tokenRevoked(id: id, at: now, by: actor)], on: connection) }
            return true
        }
    }

    static func token(from row: PostgresRow) throws -> APIToken {
        let (id, name, scopes, created, expires, used, revoked) = try row.decode((Int64, String, String, Double, Double?, Double?, Double?).self)
        return APIToken(
            id: id, name: name, scopes: scopes.split(separator: ",").map(String.init), createdAt: Date(timeIntervalSince1970: created),
            expiresAt: expires.map(Date.init(timeIntervalSince1970:)), lastUsedAt: used.map(Date.init(timeIntervalSince1970:)),
            revokedAt: revoked.map(Date.init(timeIntervalSince1970:)))
    }
}

extension PostgresDatabase {
    /// The admin API's tokens.
    public var apiTokens: PostgresAPITokenStore { PostgresAPITokenStore(client: client) }
}
