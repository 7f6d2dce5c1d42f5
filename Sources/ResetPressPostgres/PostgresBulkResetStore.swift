import Foundation
import PostgresNIO
import ResetPressStorage

/// Bulk reset runs in PostgreSQL (migration `v11-bulk-resets`): one row per run and user sent.
public struct PostgresBulkResetStore: BulkResetStore {
    let client: PostgresClient

    public func sent(runID: String, among userIDs: [Int64]) async throws -> Set<Int64> {
        guard !userIDs.isEmpty else { return [] }
        let rows = try await client.rows("SELECT user_id FROM bulk_reset_sent WHERE run_id = \(runID) AND user_id = ANY(\(userIDs))")
        return Set(try rows.map { try $0.decode(Int64.self) })
    }

    public func markSent(runID: String, userID: Int64, at date: Date) async throws {
        _ = try await client.rows("""
            INSERT INTO bulk_reset_sent (run_id, user_id, sent_at) VALUES (\(runID), \(userID), \(date.timeIntervalSince1970))
            ON CONFLICT DO NOTHING
            """)
    }

    public func count(runID: String) async throws -> Int {
        try await client.rows("SELECT COUNT(*) FROM bulk_reset_sent WHERE run_id = \(runID)").first?.decode(Int.self) ?? 0
    }
}

extension PostgresDatabase {
    /// The bulk reset runs' sent users.
    public var bulkResets: PostgresBulkResetStore { PostgresBulkResetStore(client: client) }
}
