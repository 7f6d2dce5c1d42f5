import Foundation
import GRDB

/// A row whose columns are read by position: GRDB's `Row`, or a statement's current row (``StatementColumns``).
protocol PositionalRow {
    /// The value of column `index` (from 0), or `StorageError.unreadable` when it is not a `Value`.
    func value<Value: DatabaseValueConvertible>(at index: Int) throws -> Value
}

extension PositionalRow {
    /// The time in a nullable time column, by position.
    func optionalDate(at index: Int) throws -> Date? {
        (try value(at: index) as Double?).map(Date.init(timeIntervalSince1970:))
    }
}

extension Row: PositionalRow {
    func value<Value: DatabaseValueConvertible>(at index: Int) throws -> Value {
        try decode(Value.self, atIndex: index)
    }
}

/// The current row of a stepped statement, read straight from SQLite.
///
/// A point read through GRDB's `Row` builds a dictionary of the statement's lower-cased column names
/// for every row; a read by position does not need it (about 10k instructions of the user lookup's 55k).
struct StatementColumns: PositionalRow {
    let sqliteStatement: SQLiteStatement

    func value<Value: DatabaseValueConvertible>(at index: Int) throws -> Value {
        guard let value = Value.fromDatabaseValue(DatabaseValue(sqliteStatement: sqliteStatement, index: CInt(index))) else {
            throw StorageError.unreadable("Column \(index) as \(Value.self)")
        }
        return value
    }
}

extension Statement {
    /// `read` applied to the first row of this statement run with `arguments`, while the statement
    /// is on it; nil when there is no row.
    func readFirst<T>(arguments: StatementArguments, _ read: (StatementColumns) throws -> T) throws -> T? {
        let cursor = try StepCursor(statement: self, arguments: arguments)
        // Stepping to the end ends the statement's read, as the reset of GRDB's own cursors does.
        defer { while !cursor._isDone, (try? cursor.next()) != nil {} }
        return try cursor.next().map { try read(StatementColumns(sqliteStatement: $0)) }
    }
}

/// Steps a statement and hands out its SQLite handle on each row, as GRDB's own cursors do.
private final class StepCursor: DatabaseCursor {
    typealias Element = SQLiteStatement

    let _statement: Statement
    var _isDone = false

    init(statement: Statement, arguments: StatementArguments) throws {
        _statement = statement
        try statement.setArguments(arguments)
    }

    func _element(sqliteStatement: SQLiteStatement) -> SQLiteStatement { sqliteStatement }
}
