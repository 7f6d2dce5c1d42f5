import Foundation
import PostgresNIO
import ResetPressStorage

/// Install checks in PostgreSQL (migration `v13-install-checks`); nodes starting at once are serialized
/// by a transaction-scoped advisory lock, so a new database records exactly one first check.
public struct PostgresInstallCheckStore: InstallCheckStore {
    let client: PostgresClient

    public func admits(_ check: Data, now: Date) async throws -> Bool {
        try await client.transaction { connection in
            _ = try await connection.rows("SELECT pg_advisory_xact_lock(hashtextextended('resetpress.install_checks', 0))")
            _ = try await connection.rows("""
                INSERT INTO install_checks (check_value, recorded_at) SELECT \(check), \(now.databaseSeconds)
                WHERE NOT EXISTS (SELECT 1 FROM install_checks)
                """)
            let rows = try await connection.rows("SELECT EXISTS (SELECT 1 FROM install_checks WHERE check_value = \(check))")
            return try rows.first?.decode(Bool.self) ?? false
        }
    }

    public func record(_ check: Data, now: Date) async throws {
        _ = try await client.rows(
            "INSERT INTO install_checks (check_value, recorded_at) VALUES (\(check), \(now.databaseSeconds)) ON CONFLICT (check_value) DO UPDATE SET recorded_at = excluded.recorded_at")
    }

    public func recorded() async throws -> [InstallCheck] {
        try await client.rows("SELECT check_value, recorded_at FROM install_checks ORDER BY recorded_at, check_value").map { row in
            let (value, recorded) = try row.decode((Data, Double).self)
            return InstallCheck(value: value, recordedAt: Date(timeIntervalSince1970: recorded))
        }
    }

    public func keep(only kept: [Data]) async throws {
        for check in try await recorded() where !kept.contains(check.value) {
            _ = try await client.rows("DELETE FROM install_checks WHERE check_value = \(check.value)")
        }
    }
}

extension PostgresDatabase {
    /// The install secrets this database works with.
    public var installChecks: PostgresInstallCheckStore { PostgresInstallCheckStore(client: client) }
}
