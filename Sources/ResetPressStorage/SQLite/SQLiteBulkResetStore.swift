import Foundation
import GRDB

/// Bulk reset runs in SQLite (migration `v10-bulk-resets`): one row per run and user sent.
public struct SQLiteBulkResetStore: BulkResetStore {
    let pool: DatabasePool

    public func sent(runID: String, among userIDs: [Int64]) async throws -> Set<Int64> {
        guard !userIDs.isEmpty else { return [] }
        return try await pool.read { db in
            let marks = Array(repeating: "?", count: userIDs.count).joined(separator: ",")
            let arguments = StatementArguments([runID]) + StatementArguments(userIDs)
            return Set(try Int64.fetchAll(
                db, sql: "SELECT user_id FROM bulk_reset_sent WHERE run_id = ? AND user_id IN (\(marks))", arguments: arguments))
        }
    }

    public func markSent(runID: String, userID: Int64, at date: Date) async throws {
        try await pool.write { db in
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO bulk_reset_sent (run_id, user_id, sent_at) VALUES (?, ?, ?)")
                .execute(arguments: [runID, userID, date.timeIntervalSince1970])
        }
    }

    public func count(runID: String) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bulk_reset_sent WHERE run_id = ?", arguments: [runID]) ?? 0
        }
    }
}

extension SQLiteDatabase {
    /// The bulk reset runs' sent users.
    public var bulkResets: SQLiteBulkResetStore { SQLiteBulkResetStore(pool: pool) }
}
