import Foundation

/// Errors the PostgreSQL backend reports before or besides the stores' own `StorageError`s.
public enum PostgresStorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The storage URL is not a usable `postgres://user:password@host:port/database` address.
    case invalidURL(String)
    /// No connection could be made: refused, timed out, or turned down by the server (whose message is kept).
    case connectionFailed(String)
    /// A row came back in a shape the store cannot read (a schema changed by hand).
    case unreadableRow(String)
    /// The database was shut down; no more queries can run through it.
    case shutDown

    public var description: String {
        switch self {
        case .invalidURL(let reason):
            "Invalid PostgreSQL URL: \(reason) Use postgres://user:password@host:port/database."
        case .connectionFailed(let reason):
            "Could not connect to PostgreSQL: \(reason)"
        case .unreadableRow(let reason):
            "Unreadable row from PostgreSQL: \(reason)"
        case .shutDown:
            "The PostgreSQL database was shut down."
        }
    }
}
