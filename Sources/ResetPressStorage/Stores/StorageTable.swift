import Foundation

/// The rows of one table in a backend-neutral form, for `resetpress storage migrate`.
///
/// Both backends share table and column names (`users`, `reset_codes`, `auth_codes`, `outbox`,
/// `job_runs`, `webhooks`), with times as seconds since 1970, so a table read from one can be written to the other
/// with its ids kept (reset codes refer to users by id).
public struct StorageTable: Sendable, Equatable {
    /// One value of a row.
    public enum Cell: Sendable, Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob(Data)
    }

    /// The tables a migration copies row by row, in an order that keeps references valid.
    ///
    /// `admin_sessions` is left out on purpose: sessions live at most 12 hours, so the admin
    /// simply signs in again on the new storage.
    public static let copiedTables = [
        "users", "reset_codes", "reset_blocks", "auth_codes", "outbox", "job_runs", "webhooks", "api_tokens", "events", "bulk_reset_sent", "audit",
    ]

    /// Throws `StorageError.notFound` unless `name` is one of ``copiedTables``.
    public static func checkCopied(_ name: String) throws {
        guard copiedTables.contains(name) else { throw StorageError.notFound("table \(name)") }
    }

    /// Throws `StorageError.duplicate` when the target's table `name` already holds `rows` rows.
    public static func checkEmpty(_ name: String, rows: Int, in backend: String) throws {
        guard rows == 0 else { throw StorageError.duplicate("Data in the \(backend) table \(name) (migrate into an empty database)") }
    }

    /// The table's name.
    public let name: String
    /// The column names, in the order of each row's cells.
    public let columns: [String]
    /// The rows, in primary-key order.
    public let rows: [[Cell]]

    /// A table of `rows`, each with one cell per column.
    public init(name: String, columns: [String], rows: [[Cell]]) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }
}
