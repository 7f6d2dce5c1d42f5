import Foundation
import PostgresNIO
import ResetPressEngine
import ResetPressStorage

extension PostgresDatabase: MigratableDatabase {
    public var backendName: String { "POSTGRES" }

    public var settingsStore: any SettingsStore { settings }

    /// Reads every row of one of `StorageTable.copiedTables`, in the order of its first column (the id).
    public func exportTable(_ name: String) async throws -> StorageTable {
        try StorageTable.checkCopied(name)
        let columns = try await client.rows("""
            SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(name)
            ORDER BY ordinal_position
            """).map { try $0.decode(String.self) }
        let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let rows = try await client.rows(PostgresQuery(unsafeSQL: "SELECT \(list) FROM \(name) ORDER BY 1")).map { row in
            try row.map(StorageTable.Cell.init(_:))
        }
        return StorageTable(name: name, columns: columns, rows: rows)
    }

    /// Writes `tables` into this database in one transaction, keeping their ids, and moves each id
    /// sequence past the highest id copied. Rows go in batches of 500, `progress` called after each.
    public func importTables(
        _ tables: [StorageTable], progress: @escaping @Sendable (_ table: String, _ written: Int, _ total: Int) -> Void
    ) async throws {
        try await client.transaction { connection in
            for table in tables {
                try StorageTable.checkCopied(table.name)
                let existing = try await connection.rows(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table.name)"))
                try StorageTable.checkEmpty(table.name, rows: try existing.first?.decode(Int.self) ?? 0, in: "PostgreSQL")
                let types = try await columnTypes(table.name, on: connection)
                let casts = try table.columns.map { column -> String in
                    guard let type = types[column] else {
                        throw PostgresStorageError.unreadableRow("column \(table.name).\(column) does not exist in PostgreSQL.")
                    }
                    return type
                }
                var written = 0
                for batch in stride(from: 0, to: table.rows.count, by: 500) {
                    let rows = table.rows[batch..<min(batch + 500, table.rows.count)]
                    try await insert(rows, into: table, casts: casts, on: connection)
                    written += rows.count
                    progress(table.name, written, table.rows.count)
                }
                if table.rows.isEmpty { progress(table.name, 0, 0) }
                if types["id"] != nil {
                    _ = try await connection.rows(PostgresQuery(unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence('\(table.name)', 'id'), COALESCE((SELECT MAX(id) FROM \(table.name)), 0) + 1, false)
                        """))
                }
            }
        }
    }

    /// How many rows one of `StorageTable.copiedTables` holds; `StorageError.notFound` for any other name.
    public func rowCount(_ name: String) async throws -> Int {
        try StorageTable.checkCopied(name)
        guard let row = try await client.rows(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(name)")).first else { return 0 }
        return try row.decode(Int.self)
    }

    /// The SQL type of each column of `table`.
    private func columnTypes(_ table: String, on connection: PostgresConnection) async throws -> [String: String] {
        let rows = try await connection.rows("""
            SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(table)
            """)
        var types: [String: String] = [:]
        for row in rows {
            let (name, type) = try row.decode((String, String).self)
            types[name] = type
        }
        return types
    }

    /// One multi-row `INSERT`, each value cast to its column's type.
    private func insert(
        _ rows: ArraySlice<[StorageTable.Cell]>, into table: StorageTable, casts: [String], on connection: PostgresConnection
    ) async throws {
        guard !rows.isEmpty else { return }
        var binds = PostgresBindings()
        var tuples: [String] = []
        var number = 0
        for row in rows {
            var placeholders: [String] = []
            for (index, cell) in row.enumerated() {
                number += 1
                placeholders.append("CAST($\(number) AS \(casts[index]))")
                try binds.append(cell)
            }
            tuples.append("(" + placeholders.joined(separator: ", ") + ")")
        }
        let columns = table.columns.map { "\"\($0)\"" }.joined(separator: ", ")
        _ = try await connection.rows(PostgresQuery(
            unsafeSQL: "INSERT INTO \(table.name) (\(columns)) VALUES \(tuples.joined(separator: ", "))", binds: binds))
    }
}
