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
}

extension SQLiteDatabase {
    /// The install secrets this database works with.
    public var installChecks: SQLiteInstallCheckStore { SQLiteInstallCheckStore(pool: pool) }
}
