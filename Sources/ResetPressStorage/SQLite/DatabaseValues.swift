import Foundation
import GRDB

/// How the reset tables store times: `REAL` seconds since 1970, compared numerically in SQL.
extension Date {
    /// The value bound to a time column.
    var databaseSeconds: Double { timeIntervalSince1970 }
}

extension Row {
    /// The time in a `NOT NULL` time column.
    func date(_ column: String) throws -> Date {
        Date(timeIntervalSince1970: try decode(Double.self, forColumn: column))
    }

    /// The time in a nullable time column.
    func optionalDate(_ column: String) throws -> Date? {
        try decode(Double?.self, forColumn: column).map(Date.init(timeIntervalSince1970:))
    }
}

extension DatabaseError {
    /// True when this is a UNIQUE violation on `table.column` (SQLite names it in the message).
    func isUniqueViolation(_ tableColumn: String) -> Bool {
        extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && (message ?? "").contains(tableColumn)
    }
}

/// Runs `body`, turning a UNIQUE violation into `StorageError.duplicate` via `describe`.
///
/// `describe` receives the violation (test it with `isUniqueViolation`) and returns what is
/// duplicated, or nil to rethrow the original error.
func mappingUniqueViolations<T>(_ describe: (DatabaseError) -> String?, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
        guard let what = describe(error) else { throw error }
        throw StorageError.duplicate(what)
    }
}
