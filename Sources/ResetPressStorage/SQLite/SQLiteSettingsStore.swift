import Foundation
import GRDB
import ResetPressEngine

/// The database layer of the settings: one row per key, the value as JSON.
public struct SQLiteSettingsStore: SettingsStore {
    let pool: DatabasePool

    public func loadAll() async throws -> [String: SettingValue] {
        let rows = try await pool.read { db -> [String: String] in
            var rows: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM settings") { rows[row["key"]] = row["value"] }
            return rows
        }
        let decoder = JSONDecoder()
        var values: [String: SettingValue] = [:]
        for (key, json) in rows {
            if let value = try? decoder.decode(SettingValue.self, from: Data(json.utf8)) { values[key] = value }
        }
        return values
    }

    public func apply(_ changes: [String: SettingValue?], audit: [AuditRecord]) async throws {
        let encoder = JSONEncoder()
        let encoded = try changes.mapValues { value in try value.map { String(decoding: try encoder.encode($0), as: UTF8.self) } }
        try await pool.write { db in
            let now = Date()
            for (key, json) in encoded {
                if let json {
                    try db.execute(
                        sql: "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                        arguments: [key, json, now])
                } else {
                    try db.execute(sql: "DELETE FROM settings WHERE key = ?", arguments: [key])
                }
            }
            try SQLiteAuditStore.insert(audit, in: db)
        }
    }
}
