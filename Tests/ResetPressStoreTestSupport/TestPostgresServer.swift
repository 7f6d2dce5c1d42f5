import Foundation
import Logging
import PostgresNIO
import ResetPressPostgres
import ResetPressTestSupport

/// The PostgreSQL server the tests use: `RESETPRESS_TEST_POSTGRES_URL` when set (a user that may
/// create databases), otherwise one started by `scripts/postgres-test-server` in a temporary folder,
/// once per test process, and stopped and deleted when the process exits.
public actor TestPostgresServer {
    public static let shared = TestPostgresServer()

    private var url: PostgresURL?

    /// The server's address, starting the server at the first call.
    public func adminURL() throws -> PostgresURL {
        if let url { return url }
        let started: String
        if let given = ProcessInfo.processInfo.environment["RESETPRESS_TEST_POSTGRES_URL"], !given.isEmpty {
            started = given
        } else {
            started = try Self.runScript(["start", serverDirectory])
            // Stopped and deleted at exit: each test process's server holds some 450 MB of data files.
            atexit {
                _ = try? TestPostgresServer.runScript(["stop", serverDirectory])
                try? FileManager.default.removeItem(atPath: serverDirectory)
            }
        }
        let parsed = try PostgresURL(started)
        url = parsed
        return parsed
    }

    /// Creates an empty database and returns its URL.
    public func createDatabase() async throws -> String {
        let admin = try adminURL()
        let name = "rp_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await Self.execute("CREATE DATABASE \(name)", on: admin)
        var url = "postgres://\(admin.username)"
        if let password = admin.password { url += ":\(password)" }
        return url + "@\(admin.host):\(admin.port)/\(name)?sslmode=disable"
    }

    /// Drops a database made by `createDatabase()`, disconnecting whoever is still connected.
    public func dropDatabase(url: String) async throws {
        let name = try PostgresURL(url).database
        try await Self.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: try adminURL())
    }

    /// Runs one statement over a connection of its own.
    private static func execute(_ sql: String, on url: PostgresURL) async throws {
        let configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: .disable)
        let connection = try await PostgresConnection.connect(
            configuration: configuration, id: 1, logger: Logger(label: "resetpress.tests.postgres-admin"))
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "resetpress.tests.postgres-admin"))
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Runs `scripts/postgres-test-server` with `arguments` and returns its output, trimmed.
    static func runScript(_ arguments: [String]) throws -> String {
        let script = Repository.root.appendingPathComponent("scripts/postgres-test-server")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path] + arguments
        let output = try withSpawnLock {
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            return output
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestServerError.scriptFailed(arguments, process.terminationStatus) }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The folder of this process's own server.
let serverDirectory = FileManager.default.temporaryDirectory
    .appendingPathComponent("resetpress-postgres-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))").path

/// Why the test server could not be used.
enum TestServerError: Error, CustomStringConvertible {
    case scriptFailed([String], Int32)

    var description: String {
        switch self {
        case .scriptFailed(let arguments, let status):
            "scripts/postgres-test-server \(arguments.joined(separator: " ")) exited with \(status)."
        }
    }
}

/// Runs `body` with a fresh, migrated database per node (`nodes` instances on the same
/// database, as separate servers would have), then shuts them down and drops the database.
public func withPostgres<T>(
    nodes: Int = 1, maximumConnections: Int = 20, _ body: ([ResetPressPostgres.PostgresDatabase]) async throws -> T
) async throws -> T {
    let url = try await TestPostgresServer.shared.createDatabase()
    var databases: [ResetPressPostgres.PostgresDatabase] = []
    do {
        for _ in 0..<nodes { databases.append(try await ResetPressPostgres.PostgresDatabase.open(url: url, maximumConnections: maximumConnections, connectTimeout: testConnectTimeout)) }
        let result = try await body(databases)
        for database in databases { await database.shutdown() }
        try await TestPostgresServer.shared.dropDatabase(url: url)
        return result
    } catch {
        for database in databases { await database.shutdown() }
        try? await TestPostgresServer.shared.dropDatabase(url: url)
        throw error
    }
}

/// How long the tests let a new database connect and migrate: the product's 10 s covers the
/// connection and every migration's DDL, which a loaded 2-core machine has taken longer than that
/// for; far above any stall, and still a bound.
public let testConnectTimeout: Duration = .seconds(120)
