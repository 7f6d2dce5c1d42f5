import Foundation
import GRDB
import ResetPressEngine

/// API tokens in SQLite (migration `v13-api-tokens`).
public struct SQLiteAPITokenStore: APITokenStore {
    let pool: DatabasePool

    public func add(name: String, scopes: [String], hash: Data, expiresAt: Date?, now: Date, by actor: AuditActor?) async throws -> APIToken {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO api_tokens (name, scopes, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, scopes.joined(separator: ","), hash, now.databaseSeconds, expiresAt?.databaseSeconds])
            let token = APIToken(
                id: db.lastInsertedRowID, name: name, scopes: scopes, createdAt: now, expiresAt: expiresAt, lastUsedAt: nil, revokedAt: nil)
            if let actor { try SQLiteAuditStore.insert([.tokenAdded(token, by: actor)], in: db) }
            return token
        }
    }

    public func use(hash: Data, now: Date) async throws -> APIToken? {
        try await pool.write { db in
            try Row.fetchOne(db, sql: """
                UPDATE api_tokens SET last_used_at = ?
                WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
                RETURNING \(Self.columns)
                """, arguments: [now.databaseSeconds, hash, now.databaseSeconds]).map(Self.token(from:))
        }
    }

    public func list() async throws -> [APIToken] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM api_tokens ORDER BY id DESC").map(Self.token(from:))
        }
    }

    public func revoke(id: Int64, now: Date, by actor: AuditActor?) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [now.databaseSeconds, id])
            guard db.changesCount > 0 else { return false }
            if let actor { try SQLiteAuditStore.insert([.tokenRevoked(id: id, at: now, by: actor)], in: db) }
            return true
        }
    }

    static let columns = "id, name, scopes, created_at, expires_at, last_used_at, revoked_at"

    static func token(from row: Row) -> APIToken {
        let scopes: String = row[2]
        return APIToken(
            id: row[0], name: row[1], scopes: scopes.split(separator: ",").map(String.init),
            createdAt: Date(timeIntervalSince1970: row[3]), expiresAt: (row[4] as Double?).map(Date.init(timeIntervalSince1970:)),
            lastUsedAt: (row[5] as Double?).map(Date.init(timeIntervalSince1970:)), revokedAt: (row[6] as Double?).map(Date.init(timeIntervalSince1970:)))
    }
}

extension SQLiteDatabase {
    /// The admin API's tokens.
    public var apiTokens: SQLiteAPITokenStore { SQLiteAPITokenStore(pool: pool) }
}
