import Foundation
import PostgresNIO
import ResetPressStorage

/// The `webhooks` table: event, URL, the JSON body, delivery id, status, tries, last error and the claim.
///
/// Claims lock the rows they take with `FOR UPDATE SKIP LOCKED`, so senders on several nodes never
/// claim the same entry; every move out of `sending` clears the owner and lease.
public struct PostgresWebhookQueue: WebhookQueue {
    let client: PostgresClient

    private static let columns = """
        id, event, url, body, delivery_id, status, attempts, last_error, created_at, next_attempt_at, sent_at, claimed_by, lease_until
        """

    // MARK: - Writes

    public func enqueue(_ webhooks: [QueuedWebhook], now: Date) async throws -> [Int64] {
        guard !webhooks.isEmpty else { return [] }
        return try await mappingUniqueViolations({ $0 == "webhooks_delivery_id_key" ? "A webhook delivery id" : nil }) {
            try await client.transaction { connection in
                var ids: [Int64] = []
                for webhook in webhooks {
                    let rows = try await connection.rows("""
                        INSERT INTO webhooks (event, url, body, delivery_id, status, attempts, created_at, next_attempt_at)
                        VALUES (\(webhook.event), \(webhook.url), \(webhook.body), \(webhook.deliveryID), 'queued', 0, \(now.databaseSeconds),
                            \(now.databaseSeconds))
                        RETURNING id
                        """)
                    guard let id = try rows.first?.decode(Int64.self) else {
                        throw PostgresStorageError.unreadableRow("INSERT INTO webhooks returned no id.")
                    }
                    ids.append(id)
                }
                return ids
            }
        }
    }

    public func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [WebhookEntry] {
        try await client.rows("""
            WITH due AS (
                SELECT id FROM webhooks WHERE status = 'queued' AND next_attempt_at <= \(now.databaseSeconds)
                ORDER BY id LIMIT \(max(0, limit)) FOR UPDATE SKIP LOCKED
            )
            UPDATE webhooks AS w SET status = 'sending', attempts = w.attempts + 1, claimed_by = \(owner),
                lease_until = \(leaseUntil.databaseSeconds)
            FROM due WHERE w.id = due.id
            RETURNING w.id, w.event, w.url, w.body, w.delivery_id, w.status, w.attempts, w.last_error, w.created_at, w.next_attempt_at,
                w.sent_at, w.claimed_by, w.lease_until
            """).map(Self.entry(from:)).sorted { $0.id < $1.id }
    }

    public func renewLeases(owner: String, until: Date) async throws -> Int {
        try await client.rows(
            "UPDATE webhooks SET lease_until = \(until.databaseSeconds) WHERE status = 'sending' AND claimed_by = \(owner) RETURNING id"
        ).count
    }

    public func markSent(id: Int64, at date: Date) async throws {
        try await update(id: id, """
            UPDATE webhooks SET status = 'sent', sent_at = \(date.databaseSeconds), body = NULL, \(unescaped: Self.released)
            WHERE id = \(id) RETURNING id
            """)
    }

    public func markRetry(id: Int64, error: String, retryAt: Date) async throws {
        try await update(id: id, """
            UPDATE webhooks SET status = 'queued', last_error = \(error), next_attempt_at = \(retryAt.databaseSeconds), \(unescaped: Self.released)
            WHERE id = \(id) RETURNING id
            """)
    }

    public func markFailed(id: Int64, error: String) async throws {
        try await update(id: id, """
            UPDATE webhooks SET status = 'failed', last_error = \(error), \(unescaped: Self.released) WHERE id = \(id) RETURNING id
            """)
    }

    public func retry(ids: [Int64]?, now: Date) async throws -> Int {
        guard let ids else {
            return try await client.rows("""
                UPDATE webhooks SET status = 'queued', attempts = 0, next_attempt_at = \(now.databaseSeconds), \(unescaped: Self.released)
                WHERE status = 'failed' AND body IS NOT NULL RETURNING id
                """).count
        }
        if ids.isEmpty { return 0 }
        return try await client.rows("""
            UPDATE webhooks SET status = 'queued', attempts = 0, next_attempt_at = \(now.databaseSeconds), \(unescaped: Self.released)
            WHERE status = 'failed' AND body IS NOT NULL AND id = ANY(\(ids)) RETURNING id
            """).count
    }

    public func requeueAbandoned(now: Date, owner: String?) async throws -> Int {
        try await client.rows("""
            UPDATE webhooks SET status = 'queued', next_attempt_at = \(now.databaseSeconds), \(unescaped: Self.released)
            WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= \(now.databaseSeconds) OR claimed_by = \(owner))
            RETURNING id
            """).count
    }

    public func deleteFinished(before date: Date) async throws -> Int {
        try await client.rows(
            "DELETE FROM webhooks WHERE status IN ('sent', 'failed') AND created_at < \(date.databaseSeconds) RETURNING id"
        ).count
    }

    // MARK: - Reads

    public func list(status: WebhookStatus?, limit: Int) async throws -> [WebhookEntry] {
        let rows = if let status {
            try await client.rows(
                "SELECT \(unescaped: Self.columns) FROM webhooks WHERE status = \(status.rawValue) ORDER BY id DESC LIMIT \(max(0, limit))")
        } else {
            try await client.rows("SELECT \(unescaped: Self.columns) FROM webhooks ORDER BY id DESC LIMIT \(max(0, limit))")
        }
        return try rows.map(Self.entry(from:))
    }

    public func counts() async throws -> [WebhookStatus: Int] {
        var counts = Dictionary(uniqueKeysWithValues: WebhookStatus.allCases.map { ($0, 0) })
        for row in try await client.rows("SELECT status, COUNT(*) FROM webhooks GROUP BY status") {
            let (status, count) = try row.decode((String, Int).self)
            guard let known = WebhookStatus(rawValue: status) else {
                throw PostgresStorageError.unreadableRow("Unknown webhook status \"\(status)\".")
            }
            counts[known] = count
        }
        return counts
    }

    // MARK: - Rows

    /// The assignments that end a claim.
    private static let released = "claimed_by = NULL, lease_until = NULL"

    private func update(id: Int64, _ query: PostgresQuery) async throws {
        if try await client.rows(query).isEmpty { throw StorageError.notFound("Webhook delivery \(id)") }
    }

    private static func entry(from row: PostgresRow) throws -> WebhookEntry {
        let (id, event, url, body, deliveryID, status, attempts, lastError, createdAt, nextAttemptAt, sentAt, claimedBy, leaseUntil) =
            try row.decode((Int64, String, String, String?, String, String, Int, String?, Double, Double, Double?, String?, Double?).self)
        guard let known = WebhookStatus(rawValue: status) else {
            throw PostgresStorageError.unreadableRow("Unknown webhook status \"\(status)\".")
        }
        return WebhookEntry(
            id: id, event: event, url: url, body: body, deliveryID: deliveryID, status: known, attempts: attempts, lastError: lastError,
            createdAt: Date(timeIntervalSince1970: createdAt), nextAttemptAt: Date(timeIntervalSince1970: nextAttemptAt),
            sentAt: sentAt.map(Date.init(timeIntervalSince1970:)), claimedBy: claimedBy, leaseUntil: leaseUntil.map(Date.init(timeIntervalSince1970:)))
    }
}
