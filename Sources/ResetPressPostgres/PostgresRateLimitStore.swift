import Foundation
import PostgresNIO
import ResetPressStorage

/// Rate-limit counters in the `rate_limits` table: one row per key and window, counted by a
/// single `INSERT ... ON CONFLICT DO UPDATE ... RETURNING count`, so concurrent hits from any
/// number of nodes are each counted once.
///
/// Old windows stay until `deleteExpired(now:)` removes them; run it from a periodic job.
public struct PostgresRateLimitStore: RateLimitStore {
    let client: PostgresClient

    public func hit(key: String, windowSeconds: Int, now: Date) async throws -> Int {
        let window = Int64(max(1, windowSeconds))
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let start = seconds - ((seconds % window) + window) % window
        let rows = try await client.rows("""
            INSERT INTO rate_limits AS r (key, window_start, window_end, count) VALUES (\(key), \(start), \(start + window), 1)
            ON CONFLICT (key, window_start) DO UPDATE SET count = r.count + 1
            RETURNING count
            """)
        guard let count = try rows.first?.decode(Int.self) else {
            throw PostgresStorageError.unreadableRow("INSERT INTO rate_limits returned no count.")
        }
        return count
    }

    public func count(key: String, windowSeconds: Int, now: Date) async throws -> Int {
        let window = Int64(max(1, windowSeconds))
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let start = seconds - ((seconds % window) + window) % window
        let rows = try await client.rows("SELECT count FROM rate_limits WHERE key = \(key) AND window_start = \(start) AND window_end = \(start + window)")
        return try rows.first?.decode(Int.self) ?? 0
    }

    public func remove(key: String) async throws {
        _ = try await client.rows("DELETE FROM rate_limits WHERE key = \(key)")
    }

    public func deleteExpired(now: Date) async throws -> Int {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        return try await client.rows("DELETE FROM rate_limits WHERE window_end <= \(seconds) RETURNING 1").count
    }
}
