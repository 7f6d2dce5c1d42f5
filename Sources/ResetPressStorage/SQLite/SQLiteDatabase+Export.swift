import Foundation
import GRDB

extension SQLiteDatabase {
    /// Reads every row of one of `StorageTable.copiedTables`, in rowid order; throws
    /// `StorageError.notFound` for any other name.
    public func exportTable(_ name: String) throws -> StorageTable {
        guard StorageTable.copiedTables.contains(name) else { throw StorageError.notFound("table \(name)") }
        return try pool.read { db in
            let columns = try db.columns(in: name).map(\.name)
            let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
            let rows = try Row.fetchAll(db, sql: "SELECT \(list) FROM \"\(name)\" ORDER BY rowid").map { row in
                (0..<columns.count).map { index in StorageTable.Cell(row[index] as DatabaseValue) }
            }
            return StorageTable(name: name, columns: columns, rows: rows)
        }
    }

    /// How many rows one of `StorageTable.copiedTables` holds; `StorageError.notFound` for any other name.
    public func rowCount(_ name: String) throws -> Int {
        guard StorageTable.copiedTables.contains(name) else { throw StorageError.notFound("table \(name)") }
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
