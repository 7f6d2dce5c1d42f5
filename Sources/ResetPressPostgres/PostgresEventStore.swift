import Foundation
import PostgresNIO
import ResetPressStorage

/// The events table in PostgreSQL (migration `v9-events`); times are `DOUBLE PRECISION` seconds, indexed.
public struct PostgresEventStore: EventStore {
    let client: PostgresClient

    // MARK: - Writes

    public func record(_ events: [ResetEvent]) async throws {
        guard !events.isEmpty else { return }
        var write = PostgresCombinedWrite()
        write.insert(events)
        _ = try await client.rows(write.query(selecting: "SELECT 1"))
    }

    /// Appends `events` inside the caller's transaction: the stores that change state record theirs with it.
    static func insert(_ events: [ResetEvent], on connection: PostgresConnection) async throws {
        guard !events.isEmpty else { return }
        var write = PostgresCombinedWrite()
        write.insert(events)
        _ = try await connection.rows(write.query(selecting: "SELECT 1"))
    }

    public func deleteOlder(than date: Date) async throws -> Int {
        try await client.rows("DELETE FROM events WHERE at < \(date.databaseSeconds) RETURNING 1").count
    }

    // MARK: - Reads

    public func events(userID: Int64, limit: Int) async throws -> [ResetEvent] {
        try await client.rows("""
            SELECT kind, at, client_ip, delivery_seconds FROM events WHERE user_id = \(userID) ORDER BY at DESC, id DESC LIMIT \(Int64(max(0, limit)))
            """).compactMap { row in
            let (kind, at, ip, seconds) = try row.decode((String, Double, String?, Double?).self)
            return ResetEventKind(rawValue: kind).map {
                ResetEvent($0, at: Date(timeIntervalSince1970: at), clientIP: ip, deliverySeconds: seconds, userID: userID)
            }
        }
    }

    public func counts(from: Date, to: Date) async throws -> [ResetEventKind: Int] {
        let rows = try await client.rows("""
            SELECT kind, COUNT(*) FROM events WHERE at >= \(from.databaseSeconds) AND at < \(to.databaseSeconds) GROUP BY kind
            """)
        return try rows.reduce(into: [:]) { counts, row in
            let (kind, count) = try row.decode((String, Int).self)
            if let kind = ResetEventKind(rawValue: kind) { counts[kind] = count }
        }
    }

    public func deliveryTimes(from: Date, to: Date) async throws -> [Double] {
        try await client.rows("""
            SELECT delivery_seconds FROM events
            WHERE kind = \(ResetEventKind.mailSent.rawValue) AND at >= \(from.databaseSeconds) AND at < \(to.databaseSeconds)
                AND delivery_seconds IS NOT NULL
            ORDER BY delivery_seconds
            """).map { try $0.decode(Double.self) }
    }

    public func topRefusedIPs(from: Date, to: Date, limit: Int) async throws -> [(ip: String, count: Int)] {
        let kinds = ResetEventKind.refusals.map(\.rawValue)
        return try await client.rows("""
            SELECT client_ip, COUNT(*) AS n FROM events
            WHERE kind = ANY(\(kinds)) AND at >= \(from.databaseSeconds) AND at < \(to.databaseSeconds) AND client_ip IS NOT NULL
            GROUP BY client_ip ORDER BY n DESC, client_ip LIMIT \(max(0, limit))
            """).map { row in
            let (ip, count) = try row.decode((String, Int).self)
            return (ip: ip, count: count)
        }
    }
}
