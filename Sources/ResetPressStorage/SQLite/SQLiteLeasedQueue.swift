import Foundation
import GRDB
import ResetPressEngine
import ResetPressMail

/// A ``LeasedQueue`` in one SQLite table, described by the payload's ``QueueTable``.
///
/// Enqueues, claims and marks run on the request and sender paths, so they go through the group
/// committer: they share one commit (one fsync) with each other and with the reset flows' writes.
/// Deleting finished entries also packs the pages of those whose body went (``repackFinished()``).
public struct SQLiteLeasedQueue<Payload: QueuePayload>: LeasedQueue {
    let pool: DatabasePool
    let committer: GroupCommitter
    private let table = Payload.table
    private let statements: Statements

    /// The statements the sender runs once per batch, built once (a batch may be one entry).
    private struct Statements {
        let claim: String
        let markSent: String
        let markRetry: String
        let markFailed: String
        let markFailedKeepingBody: String

        init(_ table: QueueTable) {
            let released = QueueTable.releaseClaim
            claim = """
                UPDATE \(table.name) SET status = 'sending', attempts = attempts + 1, claimed_by = ?, lease_until = ?
                WHERE id IN (SELECT id FROM \(table.name) WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY id LIMIT ?)
                RETURNING \(table.entryColumns)
                """
            let detail = table.deliveryDetailColumn.map { "\($0) = ?, " } ?? ""
            markSent = "UPDATE \(table.name) SET status = 'sent', sent_at = ?, \(detail)\(table.clearBody), \(released) WHERE id = ?"
            markRetry = "UPDATE \(table.name) SET status = 'queued', last_error = ?, next_attempt_at = ?, \(released) WHERE id = ?"
            let secret = table.clearSecretBody.isEmpty ? "" : "\(table.clearSecretBody), "
            markFailed = "UPDATE \(table.name) SET status = 'failed', last_error = ?, \(secret)\(released) WHERE id = ?"
            markFailedKeepingBody = "UPDATE \(table.name) SET status = 'failed', last_error = ?, \(released) WHERE id = ?"
        }
    }

    init(pool: DatabasePool, committer: GroupCommitter) {
        self.pool = pool
        self.committer = committer
        statements = Statements(Payload.table)
    }

    // MARK: - Writes

    public func enqueue(_ payloads: [Payload], now: Date) async throws -> [Int64] {
        guard !payloads.isEmpty else { return [] }
        return try await committer.write { db in
            try mappingUniqueViolations({ error in
                Payload.table.uniqueColumn.flatMap { error.isUniqueViolation("\(Payload.table.name).\($0.name)") ? $0.description : nil }
            }) {
                try payloads.map { try Self.insert($0, now: now, in: db) }
            }
        }
    }

    public func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [QueueEntry<Payload>] {
        let sql = statements.claim
        return try await committer.write { db in
            let rows = try Row.fetchAll(
                try db.cachedStatement(sql: sql), arguments: [owner, leaseUntil.databaseSeconds, now.databaseSeconds, max(0, limit)])
            return try rows.map(Self.entry(from:)).sorted { $0.id < $1.id }
        }
    }

    public func renewLeases(owner: String, until: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE \(table.name) SET lease_until = ? WHERE status = 'sending' AND claimed_by = ?",
                arguments: [until.databaseSeconds, owner])
            return db.changesCount
        }
    }

    public func markSent(_ sent: [(id: Int64, detail: String?)], at date: Date, events: [ResetEvent]) async throws {
        if sent.isEmpty && events.isEmpty { return }
        let sql = statements.markSent
        let keepsDetail = table.deliveryDetailColumn != nil
        try await committer.write { db in
            let statement = try db.cachedStatement(sql: sql)
            for (id, detail) in sent {
                try statement.execute(arguments: keepsDetail ? [date.databaseSeconds, detail, id] : [date.databaseSeconds, id])
                if db.changesCount == 0 { throw StorageError.notFound("\(Payload.table.entryName) \(id)") }
            }
            try SQLiteEventStore.insert(events, in: db)
        }
    }

    public func markRetry(id: Int64, error: String, retryAt: Date) async throws {
        try await update(id: id, sql: statements.markRetry, [error, retryAt.databaseSeconds, id])
    }

    public func markFailed(id: Int64, error: String, keepingBody: Bool, events: [ResetEvent]) async throws {
        try await update(id: id, sql: keepingBody ? statements.markFailedKeepingBody : statements.markFailed, [error, id], events: events)
    }

    public func retry(ids: [Int64]?, now: Date, by actor: AuditActor?) async throws -> Int {
        if let ids, ids.isEmpty { return 0 }
        return try await pool.write { [table] db in
            var sql: SQL = """
                UPDATE \(sql: table.name) SET status = 'queued', attempts = 0, next_attempt_at = \(now.databaseSeconds), \(sql: QueueTable.releaseClaim)
                WHERE status = 'failed' AND \(sql: table.hasBodyCondition)
                """
            if let ids { sql += " AND id IN \(ids)" }
            try db.execute(literal: sql)
            let requeued = db.changesCount
            try SQLiteAuditStore.insert(Self.retryRecords(ids: ids, requeued: requeued, now: now, by: actor), in: db)
            return requeued
        }
    }

    public func requeueAbandoned(now: Date, owner: String?) async throws -> Int {
        try await pool.write { [table] db in
            try db.execute(
                sql: """
                    UPDATE \(table.name) SET status = 'queued', next_attempt_at = ?, \(QueueTable.releaseClaim)
                    WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= ? OR claimed_by = ?)
                    """,
                arguments: [now.databaseSeconds, now.databaseSeconds, owner])
            return db.changesCount
        }
    }

    public func deleteFinished(before date: Date) async throws -> Int {
        let deleted = try await pool.write { [table] db in
            try db.execute(
                sql: "DELETE FROM \(table.name) WHERE status IN ('sent', 'failed') AND created_at < ?", arguments: [date.databaseSeconds])
            return db.changesCount
        }
        try await repackFinished()
        return deleted
    }

    // MARK: - Reads

    public func list(status: QueueStatus?, limit: Int) async throws -> [QueueEntry<Payload>] {
        try await pool.read { [table] db in
            var sql: SQL = "SELECT \(sql: table.entryColumns) FROM \(sql: table.name)"
            if let status { sql += " WHERE status = \(status.rawValue)" }
            sql += " ORDER BY id DESC LIMIT \(max(0, limit))"
            return try Row.fetchAll(db, SQLRequest<Row>(literal: sql)).map(Self.entry(from:))
        }
    }

    public func counts() async throws -> [QueueStatus: Int] {
        try await pool.read { [table] db in
            var counts = Dictionary(uniqueKeysWithValues: QueueStatus.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM \(table.name) GROUP BY status") {
                counts[try row.decode(QueueStatus.self, forColumn: "status")] = try row.decode(Int.self, forColumn: "n")
            }
            return counts
        }
    }

    public func nextDue() async throws -> Date? {
        try await pool.read { [table] db in
            try Double.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM \(table.name) WHERE status = 'queued'")
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    // MARK: - Rows

    /// Queues `payload` inside the caller's transaction; the reset code store uses it to write a
    /// code and its mail at once.
    /// Under `claim`, the entry is inserted already claimed (see ``QueueClaim``).
    static func insert(_ payload: Payload, now: Date, claim: QueueClaim? = nil, in db: Database) throws -> Int64 {
        var values = try payload.cells().map(\.databaseValue) + [now.databaseSeconds.databaseValue, now.databaseSeconds.databaseValue]
        if let claim { values += [claim.owner.databaseValue, claim.leaseUntil.databaseSeconds.databaseValue] }
        let statement = try db.cachedStatement(sql: claim == nil ? Payload.table.insertWithMarkers : Payload.table.insertClaimedWithMarkers)
        try statement.execute(arguments: StatementArguments(values))
        return db.lastInsertedRowID
    }


    private func update(id: Int64, sql: String, _ arguments: StatementArguments, events: [ResetEvent] = []) async throws {
        try await committer.write { db in
            try db.cachedStatement(sql: sql).execute(arguments: arguments)
            if db.changesCount == 0 { throw StorageError.notFound("\(Payload.table.entryName) \(id)") }
            try SQLiteEventStore.insert(events, in: db)
        }
    }

    /// An entry from a row of the table's `entryColumns`, read by position (a claim reads a whole batch of them).
    private static func entry(from row: Row) throws -> QueueEntry<Payload> {
        let count = Payload.table.payloadColumns.count
        let payload = try Payload(cells: (1...count).map { StorageTable.Cell(row[$0] as DatabaseValue) })
        let at = count + 1
        return QueueEntry(
            id: try row.decode(atIndex: 0),
            payload: payload,
            status: try row.decode(atIndex: at),
            attempts: try row.decode(atIndex: at + 1),
            lastError: try row.decode(atIndex: at + 2),
            createdAt: Date(timeIntervalSince1970: try row.decode(atIndex: at + 3)),
            nextAttemptAt: Date(timeIntervalSince1970: try row.decode(atIndex: at + 4)),
            sentAt: try row.decode(Double?.self, atIndex: at + 5).map(Date.init(timeIntervalSince1970:)),
            claimedBy: try row.decode(atIndex: at + 6),
            leaseUntil: try row.decode(Double?.self, atIndex: at + 7).map(Date.init(timeIntervalSince1970:)),
            deliveryDetail: Payload.table.deliveryDetailColumn == nil ? nil : try row.decode(atIndex: at + 8))
    }
}

/// Statuses are stored by their raw value.
extension QueueStatus: DatabaseValueConvertible {}

/// The mail outbox in SQLite.
public typealias SQLiteMailOutbox = SQLiteLeasedQueue<OutboxMail>

/// The webhook queue in SQLite.
public typealias SQLiteWebhookQueue = SQLiteLeasedQueue<QueuedWebhook>

extension SQLiteLeasedQueue: MailOutbox where Payload == OutboxMail {
    public func entries(userID: Int64, limit: Int) async throws -> [OutboxEntry] {
        try await pool.read { [table] db in
            try Row.fetchAll(db, SQLRequest<Row>(literal: """
                SELECT \(sql: table.entryColumns) FROM outbox WHERE user_id = \(userID) ORDER BY id DESC LIMIT \(max(0, limit))
                """)).map(Self.entry(from:))
        }
    }

    public func oldestSealed() async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(created_at) FROM outbox WHERE sealed_body IS NOT NULL").map(Date.init(timeIntervalSince1970:))
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
}

extension SQLiteLeasedQueue: WebhookQueue where Payload == QueuedWebhook {}
