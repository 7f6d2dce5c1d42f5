import Foundation
import GRDB
import Synchronization

/// How far each queue table's finished entries have been repacked in this process (see
/// ``SQLiteLeasedQueue/repackFinished()``): one per database, shared by the stores built on it.
final class RepackMarks: Sendable {
    private let marks = Mutex<[String: Int64]>([:])

    /// The highest id below which `table`'s finished entries are packed; 0 before the first pass.
    func mark(for table: String) -> Int64 {
        marks.withLock { $0[table] ?? 0 }
    }

    /// Records that `table`'s finished entries up to `id` are packed.
    func set(_ id: Int64, for table: String) {
        marks.withLock { $0[table] = id }
    }
}

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
    /// are reused by the next bodies. The mark then moves to the last entry rewritten, but never
    /// past the first entry still queued or being sent, so an entry that finishes late is packed
    /// by a later pass (the entries after it are rewritten again meanwhile, which changes nothing).
    @discardableResult
    func repackFinished() async throws -> Int {
        let table = Payload.table
        var cursor = repackMarks.mark(for: table.name)
        var rewritten = 0
        var frontier: Int64?
        while rewritten < Self.repackLimit {
            let (count, last, firstUnfinished) = try await pool.write { [cursor] db -> (Int, Int64?, Int64?) in
                let rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM \(table.name) WHERE id > ? AND status IN ('sent', 'failed') AND NOT \(table.hasBodyCondition) ORDER BY id LIMIT ?",
                    arguments: [cursor, Self.repackBatch])
                if let columns = rows.first?.count {
                    let delete = try db.makeStatement(sql: "DELETE FROM \(table.name) WHERE id = ?")
                    for row in rows { try delete.execute(arguments: [row[0] as DatabaseValue]) }
                    let insert = try db.makeStatement(
                        sql: "INSERT INTO \(table.name) VALUES (\(Array(repeating: "?", count: columns).joined(separator: ", ")))")
                    for row in rows { try insert.execute(arguments: StatementArguments(row.databaseValues)) }
                }
                let unfinished = try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM \(table.name) WHERE status IN ('queued', 'sending')")
                return (rows.count, rows.last.map { $0[0] as Int64 }, unfinished)
            }
            frontier = firstUnfinished
            rewritten += count
            if let last { cursor = last }
            if count < Self.repackBatch { break }
        }
        repackMarks.set(min(cursor, frontier.map { $0 - 1 } ?? cursor), for: table.name)
        return rewritten
    }
}
