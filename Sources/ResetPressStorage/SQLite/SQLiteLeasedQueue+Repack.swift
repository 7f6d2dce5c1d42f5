import Foundation
import GRDB

extension SQLiteLeasedQueue {
    /// Entries rewritten in one transaction.
    static var repackBatch: Int { 500 }
    /// Entries rewritten at most in one pass; a larger backlog (an upgraded database) goes over later passes.
    static var repackLimit: Int { 20_000 }

    /// Rewrites the finished entries after this table's mark whose body is gone, in id order, so
    /// that their pages merge; returns how many it rewrote.
    ///
    /// Marking an entry sent clears its body with an UPDATE, and SQLite never merges a page that an
    /// UPDATE shrinks: a mail whose sealed body filled a page (about 3 KB of 4) would keep that page
    /// until ``deleteFinished(before:)`` removes the entry. A DELETE merges it, and the rows
    /// inserted again, unchanged and under the same ids, pack a dozen to a page; the pages freed
    /// are reused by the next bodies. The mark (`queue_repack_marks`, written with each batch) then
    /// moves to the last entry rewritten, but never past the first entry still queued or being
    /// sent, so an entry that finishes late is packed by a later pass (the entries after it are
    /// rewritten again meanwhile, which changes nothing).
    @discardableResult
    func repackFinished() async throws -> Int {
        var rewritten = 0
        var cursor: Int64?
        while rewritten < Self.repackLimit {
            let (count, last) = try await pool.write { [cursor] db in try Self.repackBatch(after: cursor, in: db) }
            rewritten += count
            cursor = last
            if count < Self.repackBatch { break }
        }
        return rewritten
    }

    /// Rewrites up to ``repackBatch`` finished entries without a body after `cursor` (after the
    /// stored mark when nil) and stores the new mark; returns how many, and the last id rewritten.
    private static func repackBatch(after cursor: Int64?, in db: Database) throws -> (count: Int, last: Int64) {
        let table = Payload.table
        let start = try cursor ?? Int64.fetchOne(db, sql: "SELECT packed_through FROM queue_repack_marks WHERE queue = ?", arguments: [table.name]) ?? 0
        let rows = try Row.fetchAll(
            db, sql: "SELECT * FROM \(table.name) WHERE id > ? AND status IN ('sent', 'failed') AND NOT \(table.hasBodyCondition) ORDER BY id LIMIT ?",
            arguments: [start, repackBatch])
        if let columns = rows.first?.count {
            let delete = try db.makeStatement(sql: "DELETE FROM \(table.name) WHERE id = ?")
            for row in rows { try delete.execute(arguments: [row[0] as DatabaseValue]) }
            let insert = try db.makeStatement(sql: "INSERT INTO \(table.name) VALUES (\(Array(repeating: "?", count: columns).joined(separator: ", ")))")
            for row in rows { try insert.execute(arguments: StatementArguments(Array(row.databaseValues))) }
        }
        let last = rows.last.map { $0[0] as Int64 } ?? start
        let unfinished = try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM \(table.name) WHERE status IN ('queued', 'sending')")
        try db.execute(
            sql: """
                INSERT INTO queue_repack_marks (queue, packed_through) VALUES (?, ?)
                ON CONFLICT (queue) DO UPDATE SET packed_through = excluded.packed_through
                """,
            arguments: [table.name, min(last, unfinished.map { $0 - 1 } ?? last)])
        return (rows.count, last)
    }
}
