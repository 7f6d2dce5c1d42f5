import Foundation
import PostgresNIO

/// A parsed `postgres://user:password@host:port/database?sslmode=...` address.
///
/// The user defaults to `postgres`, the port to 5432 and the database to the user's name.
/// `sslmode` is `disable`, `prefer` (the default: TLS when the server offers it) or `require`.
public struct PostgresURL: Sendable, Equatable {
    /// How the connection uses TLS.
    public enum TLSMode: String, Sendable {
        /// Never TLS; `prefer`: TLS when the server offers it; `require`: TLS with a verified certificate or fail.
        case disable, prefer, require
    }

    /// The server's host name or address (IPv6 without brackets).
    public var host: String
    /// The server's TCP port.
    public var port: Int
    /// The role to connect as.
    public var username: String
    /// The role's password, percent-decoded; nil for none (trust or peer auth).
    public var password: String?
    /// The database name.
    public var database: String
    /// Whether and how TLS is used.
    public var tlsMode: TLSMode

    /// Parses `string`; throws `PostgresStorageError.invalidURL` saying what is wrong.
    public init(_ string: String) throws {
        guard let components = URLComponents(string: string) else {
            throw PostgresStorageError.invalidURL("\"\(string)\" is not a URL.")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresStorageError.invalidURL("the scheme must be postgres:// or postgresql://.")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresStorageError.invalidURL("the host is missing.")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw PostgresStorageError.invalidURL("port \(port) is out of range.")
        }
        let username = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? "postgres"
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else {
            throw PostgresStorageError.invalidURL("the path must be a single database name.")
        }
        var tlsMode = TLSMode.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else {
                throw PostgresStorageError.invalidURL("unknown parameter \"\(item.name)\" (only sslmode is known).")
            }
            guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw PostgresStorageError.invalidURL("sslmode must be disable, prefer or require.")
            }
            tlsMode = mode
        }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = port
        self.username = username
        self.password = components.password
        self.database = path.isEmpty ? username : path
        self.tlsMode = tlsMode
    }

    /// The address without the password, for logs and messages.
    public var redacted: String {
        "postgres://\(username)@\(host):\(port)/\(database)"
    }

    /// The configuration of a single connection to this address.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = switch tlsMode {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// The client configuration for this address.
    func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch tlsMode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = max(1, maximumConnections)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }
}
