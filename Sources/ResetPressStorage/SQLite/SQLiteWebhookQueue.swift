import Foundation
import GRDB

/// The `webhooks` table: event, URL, the JSON body, delivery id, status, tries, last error and the claim.
///
/// A claim counts a try and records its owner and lease; every move out of `sending` clears them.
/// Enqueues run on the request path, so they go through the group committer: deliveries queued by
/// concurrent requests share one commit (one fsync) with each other and with the reset flows' writes.
public struct SQLiteWebhookQueue: WebhookQueue {
    let pool: DatabasePool
    let committer: GroupCommitter

    // MARK: - Writes

    public func enqueue(_ webhooks: [QueuedWebhook], now: Date) async throws -> [Int64] {
        guard !webhooks.isEmpty else { return [] }
        return try await committer.write { db in
            try mappingUniqueViolations({ $0.isUniqueViolation("webhooks.delivery_id") ? "A webhook delivery id" : nil }) {
                try webhooks.map { webhook in
                    try db.cachedStatement(sql: """
                        INSERT INTO webhooks (event, url, body, delivery_id, status, attempts, created_at, next_attempt_at)
                        VALUES (?, ?, ?, ?, 'queued', 0, ?, ?)
                        """
                    ).execute(arguments: [
                        webhook.event, webhook.url, webhook.body, webhook.deliveryID, now.databaseSeconds, now.databaseSeconds,
                    ])
                    return db.lastInsertedRowID
                }
            }
        }
    }

    public func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [WebhookEntry] {
        try await pool.write { db in
            let rows = try Row.fetchAll(db, sql: """
                UPDATE webhooks SET status = 'sending', attempts = attempts + 1, claimed_by = ?, lease_until = ?
                WHERE id IN (
                    SELECT id FROM webhooks WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY id LIMIT ?
                )
                RETURNING *
                """, arguments: [owner, leaseUntil.databaseSeconds, now.databaseSeconds, max(0, limit)])
            return try rows.map(Self.entry(from:)).sorted { $0.id < $1.id }
        }
    }

    public func renewLeases(owner: String, until: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE webhooks SET lease_until = ? WHERE status = 'sending' AND claimed_by = ?", arguments: [until.databaseSeconds, owner])
            return db.changesCount
        }
    }

    public func markSent(id: Int64, at date: Date) async throws {
        try await update(
            id: id, sql: "UPDATE webhooks SET status = 'sent', sent_at = ?, body = NULL, \(Self.released) WHERE id = ?", [date.databaseSeconds, id])
    }

    public func markRetry(id: Int64, error: String, retryAt: Date) async throws {
        try await update(
            id: id, sql: "UPDATE webhooks SET status = 'queued', last_error = ?, next_attempt_at = ?, \(Self.released) WHERE id = ?",
            [error, retryAt.databaseSeconds, id])
    }

    public func markFailed(id: Int64, error: String) async throws {
        try await update(id: id, sql: "UPDATE webhooks SET status = 'failed', last_error = ?, \(Self.released) WHERE id = ?", [error, id])
    }

    public func retry(ids: [Int64]?, now: Date) async throws -> Int {
        if let ids, ids.isEmpty { return 0 }
        return try await pool.write { db in
            var sql: SQL = """
                UPDATE webhooks SET status = 'queued', attempts = 0, next_attempt_at = \(now.databaseSeconds), \(sql: Self.released)
                WHERE status = 'failed' AND body IS NOT NULL
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
                    UPDATE webhooks SET status = 'queued', next_attempt_at = ?, \(Self.released)
                    WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= ? OR claimed_by = ?)
                    """,
                arguments: [now.databaseSeconds, now.databaseSeconds, owner])
            return db.changesCount
        }
    }

    public func deleteFinished(before date: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM webhooks WHERE status IN ('sent', 'failed') AND created_at < ?", arguments: [date.databaseSeconds])
            return db.changesCount
        }
    }

    // MARK: - Reads

    public func list(status: WebhookStatus?, limit: Int) async throws -> [WebhookEntry] {
        try await pool.read { db in
            var sql: SQL = "SELECT * FROM webhooks"
            if let status { sql += " WHERE status = \(status.rawValue)" }
            sql += " ORDER BY id DESC LIMIT \(max(0, limit))"
            return try Row.fetchAll(db, SQLRequest<Row>(literal: sql)).map(Self.entry(from:))
        }
    }

    public func counts() async throws -> [WebhookStatus: Int] {
        try await pool.read { db in
            var counts = Dictionary(uniqueKeysWithValues: WebhookStatus.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM webhooks GROUP BY status") {
                counts[try row.decode(WebhookStatus.self, forColumn: "status")] = try row.decode(Int.self, forColumn: "n")
            }
            return counts
        }
    }

    // MARK: - Rows

    /// The assignments that end a claim.
    private static let released = "claimed_by = NULL, lease_until = NULL"

    private func update(id: Int64, sql: String, _ arguments: StatementArguments) async throws {
        try await pool.write { db in
            try db.execute(sql: sql, arguments: arguments)
            if db.changesCount == 0 { throw StorageError.notFound("Webhook delivery \(id)") }
        }
    }

    private static func entry(from row: Row) throws -> WebhookEntry {
        WebhookEntry(
            id: try row.decode(forColumn: "id"),
            event: try row.decode(forColumn: "event"),
            url: try row.decode(forColumn: "url"),
            body: try row.decode(forColumn: "body"),
            deliveryID: try row.decode(forColumn: "delivery_id"),
            status: try row.decode(forColumn: "status"),
            attempts: try row.decode(forColumn: "attempts"),
            lastError: try row.decode(forColumn: "last_error"),
            createdAt: try row.date("created_at"),
            nextAttemptAt: try row.date("next_attempt_at"),
            sentAt: try row.optionalDate("sent_at"),
            claimedBy: try row.decode(forColumn: "claimed_by"),
            leaseUntil: try row.optionalDate("lease_until"))
    }
}

/// Statuses are stored by their raw value.
extension WebhookStatus: DatabaseValueConvertible {}
