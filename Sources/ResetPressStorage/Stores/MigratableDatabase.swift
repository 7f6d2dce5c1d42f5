import Foundation
import ResetPressEngine

/// A database `resetpress storage migrate` copies from or into: the tables it copies row by row
/// (``StorageTable/copiedTables``) and its settings. SQLite and PostgreSQL both are, so a site moves
/// either way.
public protocol MigratableDatabase: Sendable {
    /// The backend's name in the migration's table (`SQLITE`, `POSTGRES`).
    var backendName: String { get }

    /// The settings written through the admin pages, the admin API and the CLI.
    var settingsStore: any SettingsStore { get }

    /// Every row of one of ``StorageTable/copiedTables``, in id order; `StorageError.notFound` for any
    /// other name.
    func exportTable(_ name: String) async throws -> StorageTable

    /// Writes `tables` in one transaction, keeping their ids, so that rows added later get ids after
    /// them. Refuses, writing nothing, a table that is not one of ``StorageTable/copiedTables``
    /// (`StorageError.notFound`), a column this database lacks, or a table that already holds rows
    /// (`StorageError.duplicate`). `progress` is called as rows are written with the table, the rows
    /// written so far and its total.
    func importTables(_ tables: [StorageTable], progress: @escaping @Sendable (_ table: String, _ written: Int, _ total: Int) -> Void) async throws

    /// How many rows one of ``StorageTable/copiedTables`` holds; `StorageError.notFound` for any other name.
    func rowCount(_ name: String) async throws -> Int
}
