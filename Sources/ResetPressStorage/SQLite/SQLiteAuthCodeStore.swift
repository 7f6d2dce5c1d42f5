import Foundation
import GRDB
import ResetPressEngine

/// Auth codes in SQLite, unique by their keyed hash.
public struct SQLiteAuthCodeStore: AuthCodeStore {
    let pool: DatabasePool

    public func add(codeHash: Data, lastFour: String, length: Int, role: String, expiresAt: Date?, now: Date, by actor: AuditActor?) async throws -> AuthCodeRecord {
        try await pool.write { db in
            try mappingUniqueViolations({ error in error.isUniqueViolation("auth_codes.code_hash") ? "This auth code" : nil }) {
                try db.execute(
                    sql: "INSERT INTO auth_codes (code_hash, last_four, code_length, role, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [codeHash, lastFour, length, role, expiresAt?.databaseSeconds, now.databaseSeconds])
            }
            let record = AuthCodeRecord(
                id: db.lastInsertedRowID, codeHash: codeHash, lastFour: lastFour, role: role, expiresAt: expiresAt, createdAt: now,
                length: length)
            if let actor { try SQLiteAuditStore.insert([.authCodeAdded(record, by: actor)], in: db) }
            return record
        }
    }

    public func all() async throws -> [AuthCodeRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM auth_codes ORDER BY created_at, id").map { row in
                AuthCodeRecord(
                    id: try row.decode(forColumn: "id"),
                    codeHash: try row.decode(forColumn: "code_hash"),
                    lastFour: try row.decode(forColumn: "last_four"),
                    role: try row.decode(forColumn: "role"),
                    expiresAt: try row.optionalDate("expires_at"),
                    createdAt: try row.date("created_at"),
                    length: try row.decode(forColumn: "code_length"))
            }
        }
    }

    public func remove(id: Int64, now: Date, by actor: AuditActor?) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM auth_codes WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { return false }
            if let actor { try SQLiteAuditStore.insert([.authCodeRemoved(id: id, at: now, by: actor)], in: db) }
            return true
        }
    }
}
