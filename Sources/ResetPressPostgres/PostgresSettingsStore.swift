import Foundation
import PostgresNIO
import ResetPressEngine

/// The database layer of the settings: one row per key, the value as JSON.
///
/// Every write that changes something also sends `NOTIFY resetpress_settings` in the same
/// transaction (delivered only when it commits), so that the other nodes' change feeds reload.
public struct PostgresSettingsStore: SettingsStore {
    let client: PostgresClient

    public func loadAll() async throws -> [String: SettingValue] {
        let decoder = JSONDecoder()
        var values: [String: SettingValue] = [:]
        for row in try await client.rows("SELECT key, value FROM settings") {
            let (key, json) = try row.decode((String, String).self)
            if let value = try? decoder.decode(SettingValue.self, from: Data(json.utf8)) { values[key] = value }
        }
        return values
    }

    public func apply(_ changes: [String: SettingValue?], audit: [AuditRecord]) async throws {
        guard !changes.isEmpty else { return }
        let encoder = JSONEncoder()
        let encoded = try changes.mapValues { value in try value.map { String(decoding: try encoder.encode($0), as: UTF8.self) } }
        let payload = PostgresSettingsChangeFeed.payload(forKeys: changes.keys.sorted())
        try await client.transaction { connection in
            for (key, json) in encoded.sorted(by: { $0.key < $1.key }) {
                if let json {
                    _ = try await connection.rows("""
                        INSERT INTO settings (key, value, updated_at) VALUES (\(key), \(json), now())
                        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                        """)
                } else {
                    _ = try await connection.rows("DELETE FROM settings WHERE key = \(key)")
                }
            }
            try await PostgresAuditStore.insert(audit, on: connection)
            _ = try await connection.rows("SELECT pg_notify(\(PostgresSettingsChangeFeed.channel), \(payload))")
        }
    }
}
