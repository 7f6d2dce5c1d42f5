import Foundation
import Logging
import PostgresNIO
import ResetPressStorage

/// Something that runs a query and hands back every row: the client (one pooled connection per
/// query, autocommit) or a connection inside a transaction.
protocol PostgresQuerying: Sendable {
    /// Runs `query` and collects its rows.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow]
}

/// Queries whose log lines nobody wants: the stores report failures by throwing.
let silentLogger = Logger(label: "resetpress.postgres.query", factory: { _ in SwiftLogNoOpLogHandler() })

extension PostgresClient: PostgresQuerying {
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await self.query(query, logger: silentLogger).collect()
    }

    /// Runs `body` in one transaction on one leased connection: committed when `body` returns,
    /// rolled back when it throws, whose error is then rethrown unchanged.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in
            _ = try await connection.rows("BEGIN")
            do {
                let value = try await body(connection)
                _ = try await connection.rows("COMMIT")
                return value
            } catch {
                _ = try? await connection.rows("ROLLBACK")
                throw error
            }
        }
    }
}

extension PostgresConnection: PostgresQuerying {
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await self.query(query, logger: silentLogger).collect()
    }
}

extension Date {
    /// The value bound to a time column: `DOUBLE PRECISION` seconds since 1970, as in SQLite.
    var databaseSeconds: Double { timeIntervalSince1970 }
}

extension PostgresRandomAccessRow {
    /// The value of `column`, decoded as `T`.
    func value<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self)
    }

    /// The time in a `NOT NULL` time column.
    func date(_ column: String) throws -> Date {
        Date(timeIntervalSince1970: try value(column, as: Double.self))
    }

    /// The time in a nullable time column.
    func optionalDate(_ column: String) throws -> Date? {
        try value(column, as: Double?.self).map(Date.init(timeIntervalSince1970:))
    }
}

/// Runs `body`, turning a unique violation into `StorageError.duplicate` via `describe`.
///
/// `describe` receives the violated constraint's name and returns what is duplicated, or nil to
/// rethrow the original error.
func mappingUniqueViolations<T>(_ describe: (String) -> String?, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as PSQLError where error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw {
        guard let what = describe(error.serverInfo?[.constraintName] ?? "") else { throw error }
        throw StorageError.duplicate(what)
    }
}

extension PostgresBindings {
    /// Binds a backend-neutral cell as its own type (NULL takes the type of where it goes).
    mutating func append(_ cell: StorageTable.Cell) throws {
        switch cell {
        case .null: appendNull()
        case .integer(let value): append(value)
        case .real(let value): append(value)
        case .text(let value): append(value)
        case .blob(let value): try append(value)
        }
    }
}

extension StorageTable.Cell {
    /// The cell holding a value as stored, of the types the tables use: integers, reals, text and
    /// `bytea` (a boolean becomes 0 or 1).
    init(_ cell: PostgresCell) throws {
        guard cell.bytes != nil else {
            self = .null
            return
        }
        switch cell.dataType {
        case .int2, .int4, .int8: self = .integer(try cell.decode(Int64.self))
        case .float4, .float8: self = .real(try cell.decode(Double.self))
        case .bool: self = .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea: self = .blob(try cell.decode(Data.self))
        default: self = .text(try cell.decode(String.self))
        }
    }
}
