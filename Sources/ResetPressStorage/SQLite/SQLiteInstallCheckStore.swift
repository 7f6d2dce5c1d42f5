import Foundation
import GRDB

/// Install checks in SQLite (migration `v12-install-checks`).
public struct SQLiteInstallCheckStore: InstallCheckStore {
    let pool: DatabasePool

    public func admits(_ check: Data, now: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO install_checks (check_value, recorded_at) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM install_checks)",
                arguments: [check, now.databaseSeconds])
            return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM install_checks WHERE check_value = ?)", arguments: [check]) ?? false
        }
    }

    public func record(_ check: Data, now: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO install_checks (check_value, recorded_at) VALUES (?, ?) ON CONFLICT (check_value) DO UPDATE SET recorded_at = excluded.recorded_at", arguments: [check, now.databaseSeconds])
        }
    }

    public func recorded() async throws -> [InstallCheck] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT check_value, recorded_at FROM install_checks ORDER BY recorded_at, check_value").map { row in
                InstallCheck(value: row["check_value"], recordedAt: try row.date("recorded_at"))
            }
        }
    }

    public func keep(only kept: [Data]) async throws {
        try await pool.write { db in
            for check in try Data.fetchAll(db, sql: "SELECT check_value FROM install_checks") where !kept.contains(check) {
                try db.execute(sql: "DELETE FROM install_checks WHERE check_value = ?", arguments: [check])
            }
        }
    }
}

extension SQLiteDatabase {
    /// The install secrets this database works with.
    public var installChecks: SQLiteInstallCheckStore { SQLiteInstallCheckStore(pool: pool) }
}
