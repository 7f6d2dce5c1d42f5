import Foundation
import GRDB
import ResetPressEngine

/// The audit trail in SQLite: one row per record.
public struct SQLiteAuditStore: AuditStore {
    let pool: DatabasePool

    public func record(_ records: [AuditRecord]) async throws {
        try await pool.write { db in try Self.insert(records, in: db) }
    }

    /// Inserts `records` inside the caller's transaction.
    static func insert(_ records: [AuditRecord], in db: Database) throws {
        for record in records {
            try db.cachedStatement(sql: "INSERT INTO audit (at, actor, client_ip, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [record.at.databaseSeconds, record.actor, record.clientIP, record.action, record.subject, record.detail])
        }
    }

    public func list(since: Date?, limit: Int) async throws -> [AuditRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM audit WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?",
                arguments: [since?.databaseSeconds ?? -Double.greatestFiniteMagnitude, max(0, limit)]
            ).map { row in
                AuditRecord(
                    at: try row.date("at"), actor: AuditActor(name: row["actor"], clientIP: row["client_ip"]), action: row["action"],
                    subject: row["subject"], detail: row["detail"])
            }
        }
    }

    public func deleteBefore(_ date: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM audit WHERE at < ?", arguments: [date.databaseSeconds])
            return db.changesCount
        }
    }
}

extension SQLiteDatabase {
    /// The audit trail.
    public var audit: SQLiteAuditStore { SQLiteAuditStore(pool: pool) }
}
