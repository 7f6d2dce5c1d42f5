import Foundation
import PostgresNIO
import ResetPressMail
import ResetPressStorage

/// The outbox table: recipients and subject, the body (JSON, or sealed bytes in `bytea`), status, tries and last error.
///
/// A claim counts a try: `claimDue` adds one to `attempts` of each entry it returns, and an
/// operator's `retry` starts a failed entry's count again from zero. Claims lock the rows they
/// take with `FOR UPDATE SKIP LOCKED`, so senders on several nodes never claim the same entry, and
/// record their owner and lease; every move out of `sending` clears them.
public struct PostgresMailOutbox: MailOutbox {
    let client: PostgresClient

    private static let columns = """
        id, kind, recipients, subject, body, sealed_body, message_id, status, attempts, last_error, created_at, next_attempt_at, sent_at,
        claimed_by, lease_until
        """

    // MARK: - Writes

    public func enqueue(_ mail: OutboxMail, now: Date) async throws -> Int64 {
        try await Self.insert(mail, now: now, on: client)
    }

    public func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [OutboxEntry] {
        try await client.rows("""
            WITH due AS (
                SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= \(now.databaseSeconds)
                ORDER BY id LIMIT \(max(0, limit)) FOR UPDATE SKIP LOCKED
            )
            UPDATE outbox AS o SET status = 'sending', attempts = o.attempts + 1, claimed_by = \(owner), lease_until = \(leaseUntil.databaseSeconds)
            FROM due WHERE o.id = due.id
            RETURNING o.id, o.kind, o.recipients, o.subject, o.body, o.sealed_body, o.message_id, o.status, o.attempts, o.last_error,
                o.created_at, o.next_attempt_at, o.sent_at, o.claimed_by, o.lease_until
            """).map(Self.entry(from:)).sorted { $0.id < $1.id }
    }

    public func renewLeases(owner: String, until: Date) async throws -> Int {
        try await client.rows(
            "UPDATE outbox SET lease_until = \(until.databaseSeconds) WHERE status = 'sending' AND claimed_by = \(owner) RETURNING id"
        ).count
    }

    public func markSent(ids: [Int64], at date: Date, events: [ResetEvent]) async throws {
        if ids.isEmpty && events.isEmpty { return }
        try await client.transaction { connection in
            let updated = try await connection.rows("""
                UPDATE outbox SET status = 'sent', sent_at = \(date.databaseSeconds), body = NULL, sealed_body = NULL, \(unescaped: Self.released)
                WHERE id = ANY(\(ids)) RETURNING id
                """).map { try $0.decode(Int64.self) }
            if let missing = ids.first(where: { !updated.contains($0) }) { throw StorageError.notFound("Outbox entry \(missing)") }
            try await PostgresEventStore.insert(events, on: connection)
        }
    }

    public func markRetry(id: Int64, error: String, retryAt: Date) async throws {
        try await update(id: id, """
            UPDATE outbox SET status = 'queued', last_error = \(error), next_attempt_at = \(retryAt.databaseSeconds), \(unescaped: Self.released)
            WHERE id = \(id) RETURNING id
            """)
    }

    public func markFailed(id: Int64, error: String, keepingSealedBody: Bool, events: [ResetEvent]) async throws {
        try await client.transaction { connection in
            let updated = try await connection.rows("""
                UPDATE outbox SET status = 'failed', last_error = \(error),
                    sealed_body = CASE WHEN \(keepingSealedBody) THEN sealed_body END, \(unescaped: Self.released)
                WHERE id = \(id) RETURNING id
                """)
            if updated.isEmpty { throw StorageError.notFound("Outbox entry \(id)") }
            try await PostgresEventStore.insert(events, on: connection)
        }
    }

    public func retry(ids: [Int64]?, now: Date) async throws -> Int {
        guard let ids else {
            return try await client.rows("""
                UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = \(now.databaseSeconds), \(unescaped: Self.released)
                WHERE status = 'failed' AND \(unescaped: Self.hasBody) RETURNING id
                """).count
        }
        if ids.isEmpty { return 0 }
        return try await client.rows("""
            UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = \(now.databaseSeconds), \(unescaped: Self.released)
            WHERE status = 'failed' AND \(unescaped: Self.hasBody) AND id = ANY(\(ids)) RETURNING id
            """).count
    }

    public func requeueAbandoned(now: Date, owner: String?) async throws -> Int {
        try await client.rows("""
            UPDATE outbox SET status = 'queued', next_attempt_at = \(now.databaseSeconds), \(unescaped: Self.released)
            WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= \(now.databaseSeconds) OR claimed_by = \(owner))
            RETURNING id
            """).count
    }

    public func deleteFinished(before date: Date) async throws -> Int {
        try await client.rows(
            "DELETE FROM outbox WHERE status IN ('sent', 'failed') AND created_at < \(date.databaseSeconds) RETURNING id"
        ).count
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

    // MARK: - Reads

    public func list(status: OutboxStatus?, limit: Int) async throws -> [OutboxEntry] {
        let rows = if let status {
            try await client.rows(
                "SELECT \(unescaped: Self.columns) FROM outbox WHERE status = \(status.rawValue) ORDER BY id DESC LIMIT \(max(0, limit))")
        } else {
            try await client.rows("SELECT \(unescaped: Self.columns) FROM outbox ORDER BY id DESC LIMIT \(max(0, limit))")
        }
        return try rows.map(Self.entry(from:))
    }

    public func counts() async throws -> [OutboxStatus: Int] {
        var counts = Dictionary(uniqueKeysWithValues: OutboxStatus.allCases.map { ($0, 0) })
        for row in try await client.rows("SELECT status, COUNT(*) FROM outbox GROUP BY status") {
            let (status, count) = try row.decode((String, Int).self)
            guard let known = OutboxStatus(rawValue: status) else {
                throw PostgresStorageError.unreadableRow("Unknown outbox status \"\(status)\".")
            }
            counts[known] = count
        }
        return counts
    }

    public func nextDue() async throws -> Date? {
        try await client.rows("SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued'")
            .first?.decode(Double?.self).map(Date.init(timeIntervalSince1970:))
    }

    // MARK: - Rows

    /// Queues `mail` through `database`; the reset code store passes its transaction to write both at once.
    static func insert(_ mail: OutboxMail, now: Date, on database: some PostgresQuerying) async throws -> Int64 {
        let (plain, sealed) = try mail.body.columns()
        let recipients = try OutboxBody.recipientsColumn(mail.recipients)
        let rows = try await database.rows("""
            INSERT INTO outbox (kind, recipients, subject, body, sealed_body, message_id, status, attempts, created_at, next_attempt_at)
            VALUES (\(mail.kind), \(recipients), \(mail.subject), \(plain), \(sealed), \(mail.messageID), 'queued', 0, \(now.databaseSeconds),
                \(now.databaseSeconds))
            RETURNING id
            """)
        guard let id = try rows.first?.decode(Int64.self) else {
            throw PostgresStorageError.unreadableRow("INSERT INTO outbox returned no id.")
        }
        return id
    }

    /// The assignments that end a claim.
    private static let released = "claimed_by = NULL, lease_until = NULL"

    /// The condition of an entry whose body was not deleted.
    private static let hasBody = "(body IS NOT NULL OR sealed_body IS NOT NULL)"

    private func update(id: Int64, _ query: PostgresQuery) async throws {
        if try await client.rows(query).isEmpty { throw StorageError.notFound("Outbox entry \(id)") }
    }

    private static func entry(from row: PostgresRow) throws -> OutboxEntry {
        let (id, kind, recipients, subject, plain, sealed, messageID, status, attempts, lastError, createdAt, nextAttemptAt, sentAt, claimedBy, leaseUntil) =
            try row.decode((Int64, String, String, String, String?, Data?, String, String, Int, String?, Double, Double, Double?, String?, Double?).self)
        guard let known = OutboxStatus(rawValue: status) else {
            throw PostgresStorageError.unreadableRow("Unknown outbox status \"\(status)\".")
        }
        return OutboxEntry(
            id: id, kind: kind, to: try OutboxBody.recipients(fromColumn: recipients), subject: subject,
            body: try OutboxBody.fromColumns(plain: plain, sealed: sealed), messageID: messageID,
            status: known, attempts: attempts, lastError: lastError, createdAt: Date(timeIntervalSince1970: createdAt),
            nextAttemptAt: Date(timeIntervalSince1970: nextAttemptAt), sentAt: sentAt.map(Date.init(timeIntervalSince1970:)),
            claimedBy: claimedBy, leaseUntil: leaseUntil.map(Date.init(timeIntervalSince1970:)))
    }
}
