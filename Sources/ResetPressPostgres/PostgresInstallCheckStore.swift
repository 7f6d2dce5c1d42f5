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
}

extension PostgresDatabase {
    /// The install secrets this database works with.
    public var installChecks: PostgresInstallCheckStore { PostgresInstallCheckStore(client: client) }
}
