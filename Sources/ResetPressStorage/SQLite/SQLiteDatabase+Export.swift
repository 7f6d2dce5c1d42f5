import Foundation
import GRDB
import ResetPressEngine

extension SQLiteDatabase: MigratableDatabase {
    public var backendName: String { "SQLITE" }

    public var settingsStore: any SettingsStore { settings }

    /// Reads every row of one of `StorageTable.copiedTables`, in rowid order; throws
    /// `StorageError.notFound` for any other name.
    public func exportTable(_ name: String) throws -> StorageTable {
        try StorageTable.checkCopied(name)
        return try pool.read { db in
            let columns = try db.columns(in: name).map(\.name)
            let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
            let rows = try Row.fetchAll(db, sql: "SELECT \(list) FROM \"\(name)\" ORDER BY rowid").map { row in
                (0..<columns.count).map { index in StorageTable.Cell(row[index] as DatabaseValue) }
            }
            return StorageTable(name: name, columns: columns, rows: rows)
        }
    }

    /// Inserts each row as it is, ids included: SQLite gives later rows ids after the highest one.
    public func importTables(
        _ tables: [StorageTable], progress: @escaping @Sendable (_ table: String, _ written: Int, _ total: Int) -> Void
    ) async throws {
        try await pool.write { db in
            for table in tables {
                try StorageTable.checkCopied(table.name)
                try StorageTable.checkEmpty(table.name, rows: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(table.name)\"") ?? 0, in: "SQLite")
                let known = Set(try db.columns(in: table.name).map(\.name))
                if let missing = table.columns.first(where: { !known.contains($0) }) {
                    throw StorageError.notFound("column \(table.name).\(missing) in SQLite")
                }
                let columns = table.columns.map { "\"\($0)\"" }.joined(separator: ", ")
                let placeholders = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
                let insert = try db.makeStatement(sql: "INSERT INTO \"\(table.name)\" (\(columns)) VALUES (\(placeholders))")
                for (index, row) in table.rows.enumerated() {
                    try insert.execute(arguments: StatementArguments(row.map(\.databaseValue)))
                    if (index + 1) % 500 == 0 || index + 1 == table.rows.count { progress(table.name, index + 1, table.rows.count) }
                }
                if table.rows.isEmpty { progress(table.name, 0, 0) }
            }
        }
    }

    /// How many rows one of `StorageTable.copiedTables` holds; `StorageError.notFound` for any other name.
    public func rowCount(_ name: String) throws -> Int {
        try StorageTable.checkCopied(name)
        return try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(name)\"") ?? 0 }
    }
}

extension StorageTable.Cell {
    /// The cell holding an SQLite value as stored.
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let value): self = .integer(value)
        case .double(let value): self = .real(value)
        case .string(let value): self = .text(value)
        case .blob(let value): self = .blob(value)
        }
    }

    /// The SQLite value that stores this cell.
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let value): value.databaseValue
        case .real(let value): value.databaseValue
        case .text(let value): value.databaseValue
        case .blob(let value): value.databaseValue
        }
    }
}
