import Foundation
import GRDB
import ResetPressMail

/// The outbox table: recipients and subject, the body (JSON, or sealed bytes), status, tries and last error.
///
/// A claim counts a try: `claimDue` adds one to `attempts` of each entry it returns, and an
/// operator's `retry` starts a failed entry's count again from zero. A claim records its owner and
/// lease; every move out of `sending` clears them. The sender's claims and marks go through the
/// group committer, so they share commits with the requests that queue mail.
public struct SQLiteMailOutbox: MailOutbox {
    let pool: DatabasePool
    let committer: GroupCommitter

    // MARK: - Writes

    public func enqueue(_ mail: OutboxMail, now: Date) async throws -> Int64 {
        try await pool.write { db in try Self.insert(mail, now: now, in: db) }
    }

    public func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [OutboxEntry] {
        try await committer.write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_by = ?, lease_until = ?
                WHERE id IN (
                    SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY id LIMIT ?
                )
                RETURNING \(Self.entryColumns)
                """)
            let rows = try Row.fetchAll(statement, arguments: [owner, leaseUntil.databaseSeconds, now.databaseSeconds, max(0, limit)])
            return try rows.map(Self.entry(from:)).sorted { $0.id < $1.id }
        }
    }

    public func renewLeases(owner: String, until: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE outbox SET lease_until = ? WHERE status = 'sending' AND claimed_by = ?",
                arguments: [until.databaseSeconds, owner])
            return db.changesCount
        }
    }

    public func markSent(ids: [Int64], at date: Date, events: [ResetEvent]) async throws {
        if ids.isEmpty && events.isEmpty { return }
        try await committer.write { db in
            let statement = try db.cachedStatement(
                sql: "UPDATE outbox SET status = 'sent', sent_at = ?, body = NULL, sealed_body = NULL, \(Self.released) WHERE id = ?")
            for id in ids {
                try statement.execute(arguments: [date.databaseSeconds, id])
                if db.changesCount == 0 { throw StorageError.notFound("Outbox entry \(id)") }
            }
            try SQLiteEventStore.insert(events, in: db)
        }
    }

    public func markRetry(id: Int64, error: String, retryAt: Date) async throws {
        try await update(
            id: id, sql: "UPDATE outbox SET status = 'queued', last_error = ?, next_attempt_at = ?, \(Self.released) WHERE id = ?",
            [error, retryAt.databaseSeconds, id])
    }

    public func markFailed(id: Int64, error: String, keepingSealedBody: Bool, events: [ResetEvent]) async throws {
        let body = keepingSealedBody ? "" : "sealed_body = NULL, "
        try await update(
            id: id, sql: "UPDATE outbox SET status = 'failed', last_error = ?, \(body)\(Self.released) WHERE id = ?", [error, id],
            events: events)
    }

    public func retry(ids: [Int64]?, now: Date) async throws -> Int {
        if let ids, ids.isEmpty { return 0 }
        return try await pool.write { db in
            var sql: SQL = """
                UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = \(now.databaseSeconds), \(sql: Self.released)
                WHERE status = 'failed' AND (body IS NOT NULL OR sealed_body IS NOT NULL)
                """
            if let ids { sql += " AND id IN \(ids)" }
            try db.execute(literal: sql)
            return db.changesCount
        }
    }

    public func requeueAbandoned(now: Date, owner: String?) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET status = 'queued', next_attempt_at = ?, \(Self.released)
                    WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= ? OR claimed_by = ?)
                    """,
                arguments: [now.databaseSeconds, now.databaseSeconds, owner])
            return db.changesCount
        }
    }

    public func deleteFinished(before date: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM outbox WHERE status IN ('sent', 'failed') AND created_at < ?", arguments: [date.databaseSeconds])
            return db.changesCount
        }
    }

    /// Seals in one transaction, then checkpoints the WAL (truncating it) so that no frame keeps a
    /// plain copy; `secure_delete` has zeroed the replaced cells in the database file.
    public func sealPlainBodies(kinds: [String], seal: @Sendable (MailMessage) throws -> Data) async throws -> Int {
        if kinds.isEmpty { return 0 }
        let sealed = try await pool.write { db in
            let rows = try Row.fetchAll(db, SQLRequest<Row>(literal: """
                SELECT id, body FROM outbox WHERE status IN ('queued', 'sending') AND body IS NOT NULL AND kind IN \(kinds)
                """))
            for row in rows {
                let json: String = row["body"]
                let sealedBody = try seal(try JSONDecoder().decode(MailMessage.self, from: Data(json.utf8)))
                try db.execute(sql: "UPDATE outbox SET body = NULL, sealed_body = ? WHERE id = ?", arguments: [sealedBody, row["id"] as Int64])
            }
            return rows.count
        }
        if sealed > 0 { try await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) } }
        return sealed
    }

    // MARK: - Reads

    public func list(status: OutboxStatus?, limit: Int) async throws -> [OutboxEntry] {
        try await pool.read { db in
            var sql: SQL = "SELECT \(sql: Self.entryColumns) FROM outbox"
            if let status { sql += " WHERE status = \(status.rawValue)" }
            sql += " ORDER BY id DESC LIMIT \(max(0, limit))"
            return try Row.fetchAll(db, SQLRequest<Row>(literal: sql)).map(Self.entry(from:))
        }
    }

    public func counts() async throws -> [OutboxStatus: Int] {
        try await pool.read { db in
            var counts = Dictionary(uniqueKeysWithValues: OutboxStatus.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status") {
                counts[try row.decode(OutboxStatus.self, forColumn: "status")] = try row.decode(Int.self, forColumn: "n")
            }
            return counts
        }
    }

    public func nextDue() async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued'")
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    // MARK: - Rows

    /// Queues `mail` inside the caller's transaction; the reset code store uses it to write both at once.
    static func insert(_ mail: OutboxMail, now: Date, in db: Database) throws -> Int64 {
        let (plain, sealed) = try mail.body.columns()
        try db.cachedStatement(
            sql: """
                INSERT INTO outbox (kind, recipients, subject, body, sealed_body, message_id, status, attempts, created_at, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)
                """
        ).execute(
            arguments: [
                mail.kind, try OutboxBody.recipientsColumn(mail.recipients), mail.subject, plain, sealed, mail.messageID,
                now.databaseSeconds, now.databaseSeconds,
            ])
        return db.lastInsertedRowID
    }

    /// The assignments that end a claim.
    private static let released = "claimed_by = NULL, lease_until = NULL"

    private func update(id: Int64, sql: String, _ arguments: StatementArguments, events: [ResetEvent] = []) async throws {
        try await committer.write { db in
            try db.cachedStatement(sql: sql).execute(arguments: arguments)
            if db.changesCount == 0 { throw StorageError.notFound("Outbox entry \(id)") }
            try SQLiteEventStore.insert(events, in: db)
        }
    }

    /// The columns ``entry(from:)`` reads, in the order it reads them.
    private static let entryColumns = """
        id, kind, recipients, subject, body, sealed_body, message_id, status, attempts, last_error, created_at, next_attempt_at, \
        sent_at, claimed_by, lease_until
        """

    /// An entry from a row of ``entryColumns``, read by position (a claim reads a whole batch of them).
    private static func entry(from row: Row) throws -> OutboxEntry {
        OutboxEntry(
            id: try row.decode(atIndex: 0),
            kind: try row.decode(atIndex: 1),
            to: try OutboxBody.recipients(fromColumn: try row.decode(atIndex: 2)),
            subject: try row.decode(atIndex: 3),
            body: try OutboxBody.fromColumns(plain: try row.decode(atIndex: 4), sealed: try row.decode(atIndex: 5)),
            messageID: try row.decode(atIndex: 6),
            status: try row.decode(atIndex: 7),
            attempts: try row.decode(atIndex: 8),
            lastError: try row.decode(atIndex: 9),
            createdAt: Date(timeIntervalSince1970: try row.decode(atIndex: 10)),
            nextAttemptAt: Date(timeIntervalSince1970: try row.decode(atIndex: 11)),
            sentAt: try row.decode(Double?.self, atIndex: 12).map(Date.init(timeIntervalSince1970:)),
            claimedBy: try row.decode(atIndex: 13),
            leaseUntil: try row.decode(Double?.self, atIndex: 14).map(Date.init(timeIntervalSince1970:)))
    }
}

/// Statuses are stored by their raw value.
extension OutboxStatus: DatabaseValueConvertible {}
