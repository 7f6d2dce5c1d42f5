import Foundation
import GRDB

/// The events table in SQLite (migration `v8-events`); times are `REAL` seconds.
///
/// Appends go through the group committer, so a refusal's event shares the commit of the
/// requests around it instead of paying an fsync of its own. Each row has two index entries, by
/// kind and time and by user and time; a request and its outcome share a row (``SQLiteEventRows``).
/// What filters by time alone (the retention, the counts) walks the kinds present in
/// `events_on_kind_at` and reads each kind's range there (``byKind``), so no index is kept for time alone.
public struct SQLiteEventStore: EventStore {
    let pool: DatabasePool
    let committer: GroupCommitter

    // MARK: - Writes

    public func record(_ events: [ResetEvent]) async throws {
        if events.isEmpty { return }
        try await committer.write { db in try Self.insert(events, in: db) }
    }

    private static let insertRow = HotStatement("INSERT INTO events (kind, at, client_ip, delivery_seconds, user_id) VALUES (?, ?, ?, ?, ?)")

    /// Appends `events` inside the caller's transaction: the stores that change state record theirs with it.
    static func insert(_ events: [ResetEvent], in db: Database) throws {
        for row in SQLiteEventRows.rows(events) {
            let event = row.event
            try db.withStatement(insertRow) {
                try $0.execute(arguments: [row.kind, event.at.databaseSeconds, event.clientIP, event.deliverySeconds, event.userID])
            }
        }
    }

    /// Deletes the rows before `date` and counts the events they held: a paired row holds two.
    public func deleteOlder(than date: Date) async throws -> Int {
        try await pool.write { db in
            let pairs = try Int.fetchOne(db, sql: Self.pairsOlderSQL, arguments: [date.databaseSeconds]) ?? 0
            try db.execute(sql: Self.deleteOlderSQL, arguments: [date.databaseSeconds])
            return db.changesCount + pairs
        }
    }

    /// The kinds present, as `kinds(kind)`: one seek per kind in `events_on_kind_at` (a loose
    /// index scan), whatever their number of rows, and kinds this version does not name included.
    static let byKind = """
        WITH RECURSIVE kinds(kind) AS (
            SELECT MIN(kind) FROM events
            UNION ALL SELECT (SELECT MIN(kind) FROM events WHERE kind > kinds.kind) FROM kinds WHERE kinds.kind IS NOT NULL)
        """

    /// Deletes the events before `?`: each kind's range in `events_on_kind_at`.
    static let deleteOlderSQL = "\(byKind) DELETE FROM events WHERE kind IN (SELECT kind FROM kinds) AND at < ?"

    /// The number of paired rows before `?`: the range of each paired kind.
    static let pairsOlderSQL = """
        \(byKind) SELECT COUNT(*) FROM events
        WHERE kind IN (SELECT kind FROM kinds WHERE substr(kind, 1, \(SQLiteEventRows.requestPrefix.count)) = '\(SQLiteEventRows.requestPrefix)') AND at < ?
        """

    /// The number of events of each kind from the first `?` to before the second: each kind's range.
    static let countsSQL = "\(byKind) SELECT kind, COUNT(*) AS n FROM events WHERE kind IN (SELECT kind FROM kinds) AND at >= ? AND at < ? GROUP BY kind"

    // MARK: - Reads

    public func events(userID: Int64, limit: Int) async throws -> [ResetEvent] {
        try await pool.read { db in
            // Each row holds one event or two, newest first: a pair's outcome before its request.
            let rows = try Row.fetchAll(
                db, sql: "SELECT kind, at, client_ip, delivery_seconds FROM events WHERE user_id = ? ORDER BY at DESC, id DESC LIMIT ?",
                arguments: [userID, max(0, limit)])
            let events = try rows.flatMap { row in
                let at = try row.date("at")
                return SQLiteEventRows.kinds(stored: row["kind"]).reversed().map { kind in
                    ResetEvent(kind, at: at, clientIP: row["client_ip"], deliverySeconds: row["delivery_seconds"], userID: userID)
                }
            }
            return Array(events.prefix(max(0, limit)))
        }
    }

    public func counts(from: Date, to: Date) async throws -> [ResetEventKind: Int] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: Self.countsSQL,
                arguments: [from.databaseSeconds, to.databaseSeconds])
            return try rows.reduce(into: [:]) { counts, row in
                let count: Int = try row.decode(forColumn: "n")
                for kind in SQLiteEventRows.kinds(stored: try row.decode(forColumn: "kind")) { counts[kind, default: 0] += count }
            }
        }
    }

    public func deliveryTimes(from: Date, to: Date) async throws -> [Double] {
        try await pool.read { db in
            try Double.fetchAll(
                db,
                sql: """
                    SELECT delivery_seconds FROM events
                    WHERE kind = ? AND at >= ? AND at < ? AND delivery_seconds IS NOT NULL ORDER BY delivery_seconds
                    """,
                arguments: [ResetEventKind.mailSent.rawValue, from.databaseSeconds, to.databaseSeconds])
        }
    }

    public func topRefusedIPs(from: Date, to: Date, limit: Int) async throws -> [(ip: String, count: Int)] {
        let kinds = ResetEventKind.refusals.flatMap(SQLiteEventRows.storedKinds)
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT client_ip, COUNT(*) AS n FROM events
                    WHERE kind IN (\(kinds.map { _ in "?" }.joined(separator: ", "))) AND at >= ? AND at < ? AND client_ip IS NOT NULL
                    GROUP BY client_ip ORDER BY n DESC, client_ip LIMIT ?
                    """,
                arguments: StatementArguments(kinds) + [from.databaseSeconds, to.databaseSeconds, max(0, limit)]
            ).map { row in (ip: try row.decode(forColumn: "client_ip"), count: try row.decode(forColumn: "n")) }
        }
    }
}
