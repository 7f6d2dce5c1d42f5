import Foundation
import PostgresNIO
import ResetPressEngine
import ResetPressStorage

/// Auth codes in PostgreSQL, unique by their keyed hash.
public struct PostgresAuthCodeStore: AuthCodeStore {
    let client: PostgresClient

    public func add(codeHash: Data, lastFour: String, length: Int, role: String, expiresAt: Date?, now: Date, by actor: AuditActor?) async throws -> AuthCodeRecord {
        try await mappingUniqueViolations({ $0 == "auth_codes_code_hash_key" ? "This auth code" : nil }) {
            try await client.transaction { connection in
                let rows = try await connection.rows("""
                    INSERT INTO auth_codes (code_hash, last_four, code_length, role, expires_at, created_at)
                    VALUES (\(codeHash), \(lastFour), \(Int64(length)), \(role), \(expiresAt?.databaseSeconds), \(now.databaseSeconds))
                    RETURNING id
                    """)
                guard let id = try rows.first?.decode(Int64.self) else {
                    throw PostgresStorageError.unreadableRow("INSERT INTO auth_codes returned no id.")
                }
                let record = AuthCodeRecord(id: id, codeHash: codeHash, lastFour: lastFour, role: role, expiresAt: expiresAt, createdAt: now, length: length)
                if let actor { try await PostgresAuditStore.insert([.authCodeAdded(record, by: actor)], on: connection) }
                return record
            }
        }
    }

    public func all() async throws -> [AuthCodeRecord] {
        try await client.rows(
            "SELECT id, code_hash, last_four, role, expires_at, created_at, code_length FROM auth_codes ORDER BY created_at, id"
        ).map { row in
            let (id, codeHash, lastFour, role, expiresAt, createdAt, length) = try row.decode(
                (Int64, Data, String, String, Double?, Double, Int64?).self)
            return AuthCodeRecord(
                id: id, codeHash: codeHash, lastFour: lastFour, role: role,
                expiresAt: expiresAt.map(Date.init(timeIntervalSince1970:)), createdAt: Date(timeIntervalSince1970: createdAt),
                length: length.map(Int.init))
        }
    }

    public func remove(id: Int64, now: Date, by actor: AuditActor?) async throws -> Bool {
        try await client.transaction { connection in
            guard try await !connection.rows("DELETE FROM auth_codes WHERE id = \(id) RETURNING id").isEmpty else { return false }
            if let actor { try await PostgresAuditStore.insert([.authCodeRemoved(id: id, at: now, by: actor)], on: connection) }
            return true
        }
    }
}
