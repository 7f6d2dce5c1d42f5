import Foundation
import PostgresNIO
import ResetPressEngine
import ResetPressMail
import ResetPressStorage

/// A ``LeasedQueue`` in one PostgreSQL table, described by the payload's ``QueueTable``.
///
/// Claims lock the rows they take with `FOR UPDATE SKIP LOCKED`, so senders on several nodes never
/// claim the same entry, and record their owner and lease; every move out of `sending` clears them.
public struct PostgresLeasedQueue<Payload: QueuePayload>: LeasedQueue {
    let client: PostgresClient

    private var table: QueueTable { Payload.table }

    // MARK: - Writes

    /// One statement, so the payloads commit together or not at all.
    public func enqueue(_ payloads: [Payload], now: Date) async throws -> [Int64] {
        guard !payloads.isEmpty else { return [] }
        var write = PostgresCombinedWrite()
        let parts = try payloads.map { try write.insert($0, now: now) }
        let select = parts.enumerated().map { "SELECT \($0.offset) AS n, id FROM \($0.element)" }.joined(separator: " UNION ALL ")
        let rows = try await Self.mappingDuplicates { try await client.rows(write.query(selecting: "\(select) ORDER BY n")) }
        return try rows.map { try $0.decode((Int, Int64).self).1 }
    }

    public func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [QueueEntry<Payload>] {
        try await client.rows(PostgresQuery(unsafeSQL: """
            WITH due AS (
                SELECT id FROM \(table.name) WHERE status = 'queued' AND next_attempt_at <= $1
                ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
            )
            UPDATE \(table.name) SET status = 'sending', attempts = attempts + 1, claimed_by = $3, lease_until = $4
            WHERE id IN (SELECT id FROM due)
            RETURNING \(table.entryColumns)
            """, binds: Self.binds(now.databaseSeconds, max(0, limit), owner, leaseUntil.databaseSeconds))
        ).map(Self.entry(from:)).sorted { $0.id < $1.id }
    }

    public func renewLeases(owner: String, until: Date) async throws -> Int {
        try await client.rows(PostgresQuery(
            unsafeSQL: "UPDATE \(table.name) SET lease_until = $1 WHERE status = 'sending' AND claimed_by = $2 RETURNING id",
            binds: Self.binds(until.databaseSeconds, owner))
        ).count
    }

    public func markSent(_ sent: [(id: Int64, detail: String?)], at date: Date, events: [ResetEvent]) async throws {
        if sent.isEmpty && events.isEmpty { return }
        try await client.transaction { connection in
            if !sent.isEmpty {
                let updated = Set(try await connection.rows(markSentQuery(sent, at: date)).map { try $0.decode(Int64.self) })
                if let missing = sent.first(where: { !updated.contains($0.id) }) {
                    throw StorageError.notFound("\(Payload.table.entryName) \(missing.id)")
                }
            }
            try await PostgresEventStore.insert(events, on: connection)
        }
    }

    /// One `UPDATE` that marks every entry of `sent` sent, each with its own detail, read from a
    /// `VALUES` list of (id, detail) pairs; it returns the ids it updated.
    private func markSentQuery(_ sent: [(id: Int64, detail: String?)], at date: Date) -> PostgresQuery {
        var binds = Self.binds(date.databaseSeconds)
        var pairs: [String] = []
        for (id, detail) in sent {
            binds.append(id)
            binds.append(detail)
            pairs.append("($\(binds.count - 1)::bigint, $\(binds.count)::text)")
        }
        let detail = table.deliveryDetailColumn.map { "\($0) = sent.detail, " } ?? ""
        return PostgresQuery(unsafeSQL: """
            UPDATE \(table.name) SET status = 'sent', sent_at = $1, \(detail)\(table.clearBody), \(QueueTable.releaseClaim)
            FROM (VALUES \(pairs.joined(separator: ", "))) AS sent (id, detail) WHERE \(table.name).id = sent.id RETURNING \(table.name).id
            """, binds: binds)
    }

    public func markRetry(id: Int64, error: String, retryAt: Date) async throws {
        try await update(id: id, on: client, PostgresQuery(
            unsafeSQL: "UPDATE \(table.name) SET status = 'queued', last_error = $1, next_attempt_at = $2, \(QueueTable.releaseClaim) WHERE id = $3 RETURNING id",
            binds: Self.binds(error, retryAt.databaseSeconds, id)))
    }

    public func markFailed(id: Int64, error: String, keepingBody: Bool, events: [ResetEvent]) async throws {
        let body = keepingBody || table.clearSecretBody.isEmpty ? "" : "\(table.clearSecretBody), "
        let query = PostgresQuery(
            unsafeSQL: "UPDATE \(table.name) SET status = 'failed', last_error = $1, \(body)\(QueueTable.releaseClaim) WHERE id = $2 RETURNING id",
            binds: Self.binds(error, id))
        guard !events.isEmpty else { return try await update(id: id, on: client, query) }
        try await client.transaction { connection in
            try await update(id: id, on: connection, query)
            try await PostgresEventStore.insert(events, on: connection)
        }
    }

    public func retry(ids: [Int64]?, now: Date, by actor: AuditActor?) async throws -> Int {
        if let ids, ids.isEmpty { return 0 }
        let chosen = ids == nil ? "" : " AND id = ANY($2)"
        var binds = Self.binds(now.databaseSeconds)
        if let ids { binds.append(ids) }
        let query = PostgresQuery(unsafeSQL: """
            UPDATE \(table.name) SET status = 'queued', attempts = 0, next_attempt_at = $1, \(QueueTable.releaseClaim)
            WHERE status = 'failed' AND \(table.hasBodyCondition)\(chosen) RETURNING id
            """, binds: binds)
        return try await client.transaction { connection in
            let requeued = try await connection.rows(query).count
            try await PostgresAuditStore.insert(Self.retryRecords(ids: ids, requeued: requeued, now: now, by: actor), on: connection)
            return requeued
        }
    }

    public func requeueAbandoned(now: Date, owner: String?) async throws -> Int {
        var binds = Self.binds(now.databaseSeconds)
        binds.append(owner)
        return try await client.rows(PostgresQuery(unsafeSQL: """
            UPDATE \(table.name) SET status = 'queued', next_attempt_at = $1, \(QueueTable.releaseClaim)
            WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= $1 OR claimed_by = $2)
            RETURNING id
            """, binds: binds)).count
    }

    public func deleteFinished(before date: Date) async throws -> Int {
        try await client.rows(PostgresQuery(
            unsafeSQL: "DELETE FROM \(table.name) WHERE status IN ('sent', 'failed') AND created_at < $1 RETURNING id",
            binds: Self.binds(date.databaseSeconds))
        ).count
    }

    // MARK: - Reads

    public func list(status: QueueStatus?, limit: Int) async throws -> [QueueEntry<Payload>] {
        var binds = Self.binds(max(0, limit))
        if let status { binds.append(status.rawValue) }
        let filter = status == nil ? "" : " WHERE status = $2"
        return try await client.rows(PostgresQuery(
            unsafeSQL: "SELECT \(table.entryColumns) FROM \(table.name)\(filter) ORDER BY id DESC LIMIT $1", binds: binds)
        ).map(Self.entry(from:))
    }

    public func counts() async throws -> [QueueStatus: Int] {
        var counts = Dictionary(uniqueKeysWithValues: QueueStatus.allCases.map { ($0, 0) })
        for row in try await client.rows(PostgresQuery(unsafeSQL: "SELECT status, COUNT(*) FROM \(table.name) GROUP BY status")) {
            let (status, count) = try row.decode((String, Int).self)
            counts[try Self.status(status)] = count
        }
        return counts
    }

    public func nextDue() async throws -> Date? {
        try await client.rows(PostgresQuery(unsafeSQL: "SELECT MIN(next_attempt_at) FROM \(table.name) WHERE status = 'queued'"))
            .first?.decode(Double?.self).map(Date.init(timeIntervalSince1970:))
    }

    // MARK: - Rows

    /// Queues `payload` through `database`; the reset code store passes its transaction to write a
    /// code and its mail at once.
    static func insert(_ payload: Payload, now: Date, on database: some PostgresQuerying) async throws -> Int64 {
        var write = PostgresCombinedWrite()
        let inserted = try write.insert(payload, now: now)
        let rows = try await Self.mappingDuplicates { try await database.rows(write.query(selecting: "SELECT id FROM \(inserted)")) }
        guard let id = try rows.first?.decode(Int64.self) else {
            throw PostgresStorageError.unreadableRow("INSERT INTO \(Payload.table.name) returned no id.")
        }
        return id
    }

    /// Runs `body`, turning a violation of the table's unique column into `StorageError.duplicate`.
    static func mappingDuplicates<T>(_ body: () async throws -> T) async throws -> T {
        let table = Payload.table
        return try await mappingUniqueViolations({ constraint in
            table.uniqueColumn.flatMap { constraint == "\(table.name)_\($0.name)_key" ? $0.description : nil }
        }, body)
    }


    /// Bindings of `values`, in order (`$1`, `$2`, ...).
    private static func binds<each Value: PostgresNonThrowingEncodable>(_ values: repeat each Value) -> PostgresBindings {
        var binds = PostgresBindings()
        repeat binds.append(each values)
        return binds
    }

    private func update(id: Int64, on database: some PostgresQuerying, _ query: PostgresQuery) async throws {
        if try await database.rows(query).isEmpty { throw StorageError.notFound("\(Payload.table.entryName) \(id)") }
    }

    private static func status(_ text: String) throws -> QueueStatus {
        guard let status = QueueStatus(rawValue: text) else {
            throw PostgresStorageError.unreadableRow("Unknown \(Payload.table.name) status \"\(text)\".")
        }
        return status
    }

    /// An entry from a row of the table's `entryColumns`, read by position.
    private static func entry(from row: PostgresRow) throws -> QueueEntry<Payload> {
        let cells = Array(row)
        let count = Payload.table.payloadColumns.count
        let payload = try Payload(cells: try cells[1...count].map(StorageTable.Cell.init))
        let at = count + 1
        return QueueEntry(
            id: try cells[0].decode(Int64.self),
            payload: payload,
            status: try status(try cells[at].decode(String.self)),
            attempts: try cells[at + 1].decode(Int.self),
            lastError: try cells[at + 2].decode(String?.self),
            createdAt: Date(timeIntervalSince1970: try cells[at + 3].decode(Double.self)),
            nextAttemptAt: Date(timeIntervalSince1970: try cells[at + 4].decode(Double.self)),
            sentAt: try cells[at + 5].decode(Double?.self).map(Date.init(timeIntervalSince1970:)),
            claimedBy: try cells[at + 6].decode(String?.self),
            leaseUntil: try cells[at + 7].decode(Double?.self).map(Date.init(timeIntervalSince1970:)),
            deliveryDetail: Payload.table.deliveryDetailColumn == nil ? nil : try cells[at + 8].decode(String?.self))
    }
}

/// The mail outbox in PostgreSQL.
public typealias PostgresMailOutbox = PostgresLeasedQueue<OutboxMail>

/// The webhook queue in PostgreSQL.
public typealias PostgresWebhookQueue = PostgresLeasedQueue<QueuedWebhook>

extension PostgresLeasedQueue: MailOutbox where Payload == OutboxMail {
    public func entries(userID: Int64, limit: Int) async throws -> [OutboxEntry] {
        try await client.rows(PostgresQuery(
            unsafeSQL: "SELECT \(table.entryColumns) FROM outbox WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
            binds: Self.binds(userID, max(0, limit)))
        ).map(Self.entry(from:))
    }

    public func oldestSealed() async throws -> Date? {
        try await client.rows("SELECT MIN(created_at) FROM outbox WHERE sealed_body IS NOT NULL").first?.decode(Double?.self)
            .map(Date.init(timeIntervalSince1970:))
    }

    public func sealPlainBodies(kinds: [String], seal: @Sendable (MailMessage) throws -> Data) async throws -> Int {
        if kinds.isEmpty { return 0 }
        return try await client.transaction { connection in
            let rows = try await connection.rows("""
                SELECT id, body FROM outbox WHERE status IN ('queued', 'sending') AND body IS NOT NULL AND kind = ANY(\(kinds)) FOR UPDATE
                """)
            for row in rows {
                let (id, json) = try row.decode((Int64, String).self)
                let sealed = try seal(try JSONDecoder().decode(MailMessage.self, from: Data(json.utf8)))
                _ = try await connection.rows("UPDATE outbox SET body = NULL, sealed_body = \(sealed) WHERE id = \(id)")
            }
            return rows.count
        }
    }
}

extension PostgresLeasedQueue: WebhookQueue where Payload == QueuedWebhook {}
