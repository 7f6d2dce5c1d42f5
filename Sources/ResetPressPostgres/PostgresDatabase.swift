import Foundation
import Logging
import PostgresNIO
import ResetPressStorage
import Synchronization

/// A site's PostgreSQL database, shared by every node: the connection pool, the schema made by
/// registered migrations, and the stores built on them.
///
/// The facade owns the `PostgresClient` and the task running it (`client.run()`), and the
/// listeners of the settings change feed. Call `shutdown()` once when done: it ends the feeds,
/// closes the pool's connections and waits for them to close.
public final class PostgresDatabase: Sendable {
    let client: PostgresClient
    /// Gathers concurrent code issues into one statement each batch.
    let issues: PostgresBatcher<PostgresIssueCommitter.Issue, Int64>
    /// Gathers concurrent requester lookups into one statement each batch.
    let requesters: PostgresBatcher<String, ResetRequester?>
    let listeners: ListenerTasks
    private let runTask: Task<Void, Never>
    /// The parsed address; its `redacted` form leaves out the password.
    public let url: PostgresURL

    private init(url: PostgresURL, client: PostgresClient, runTask: Task<Void, Never>) {
        self.url = url
        self.client = client
        issues = PostgresIssueCommitter.batcher(client: client)
        requesters = PostgresRequesterLookup.batcher(client: client)
        self.runTask = runTask
        listeners = ListenerTasks()
    }

    /// Connects to `url` (`postgres://user:password@host:port/database`), runs pending migrations
    /// and returns the database.
    ///
    /// Throws `PostgresStorageError.invalidURL` for a bad address, and `.connectionFailed` (with
    /// the server's message, such as a failed password) when a first connection cannot be made
    /// within `connectTimeout`; nothing keeps running after a throw.
    public static func open(
        url: String,
        maximumConnections: Int = 20,
        connectTimeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "resetpress.postgres")
    ) async throws -> PostgresDatabase {
        let parsed = try PostgresURL(url)
        let client = PostgresClient(configuration: parsed.clientConfiguration(maximumConnections: maximumConnections), backgroundLogger: logger)
        let database = PostgresDatabase(url: parsed, client: client, runTask: Task { await client.run() })
        do {
            try await withTimeout(connectTimeout, describing: parsed.redacted) {
                try await probe(parsed, logger: logger)
                _ = try await PostgresSchemaMigrations.migrate(client)
            }
            return database
        } catch {
            await database.shutdown()
            throw error
        }
    }

    /// Ends the settings feeds, closes every connection and waits for the pool to stop.
    /// Calling it again does nothing more.
    public func shutdown() async {
        for task in listeners.takeAll() {
            task.cancel()
            await task.value
        }
        runTask.cancel()
        await runTask.value
    }

    /// The settings written through the admin page, admin API and CLI; every write notifies the feed.
    public var settings: PostgresSettingsStore { PostgresSettingsStore(client: client) }

    /// The users ResetPress keeps itself.
    public var users: PostgresUserStore { PostgresUserStore(client: client) }

    /// Reset codes, written together with their outbox mail.
    public var resetCodes: PostgresResetCodeStore { PostgresResetCodeStore(client: client, issues: issues, requesters: requesters) }

    /// The mail outbox the sender job drains; nodes never claim the same entry.
    public var outbox: PostgresMailOutbox { PostgresMailOutbox(client: client) }

    /// The auth codes that open the AUTH_CODE gate.
    public var authCodes: PostgresAuthCodeStore { PostgresAuthCodeStore(client: client) }

    /// What the scheduler remembers of each job's runs.
    public var jobStates: PostgresJobStateStore { PostgresJobStateStore(client: client) }

    /// What the flows did, for the dashboard and `resetpress stats`.
    public var events: PostgresEventStore { PostgresEventStore(client: client) }

    /// The admin's browser sessions, shared by every node.
    public var adminSessions: PostgresAdminSessionStore { PostgresAdminSessionStore(client: client) }

    /// The webhook deliveries; nodes never claim the same entry.
    public var webhooks: PostgresWebhookQueue { PostgresWebhookQueue(client: client) }

    /// Per-key request counters shared by every node.
    public var rateLimits: PostgresRateLimitStore { PostgresRateLimitStore(client: client) }

    /// The lock that makes a job run on one node at a time.
    public var jobLock: PostgresJobLock { PostgresJobLock(client: client) }

    /// Tells this node when any node wrote settings.
    public var settingsFeed: PostgresSettingsChangeFeed { PostgresSettingsChangeFeed(client: client, listeners: listeners) }

    /// The identifiers of the migrations applied so far, in order.
    public func appliedMigrations() async throws -> [String] {
        try await PostgresSchemaMigrations.applied(client)
    }

    /// The server's version string (`SHOW server_version`).
    public func serverVersion() async throws -> String {
        guard let row = try await client.rows("SHOW server_version").first else {
            throw PostgresStorageError.unreadableRow("SHOW server_version returned no row.")
        }
        return try row.decode(String.self)
    }
}

/// The feed listeners a database runs, so that `shutdown()` can end them.
final class ListenerTasks: Sendable {
    private let state = Mutex<(tasks: [UUID: Task<Void, Never>], closed: Bool)>(([:], false))

    /// Keeps `task` until it ends or the database shuts down; false (and `task` cancelled) after shutdown.
    func add(_ id: UUID, _ task: Task<Void, Never>) -> Bool {
        let added = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.tasks[id] = task
            return true
        }
        if !added { task.cancel() }
        return added
    }

    /// Forgets a task that ended.
    func remove(_ id: UUID) {
        _ = state.withLock { $0.tasks.removeValue(forKey: id) }
    }

    /// Every running task; no task is added afterwards.
    func takeAll() -> [Task<Void, Never>] {
        state.withLock { state in
            state.closed = true
            defer { state.tasks = [:] }
            return Array(state.tasks.values)
        }
    }
}

/// Connects once outside the pool, which retries quietly, to report why a connection fails.
private func probe(_ url: PostgresURL, logger: Logger) async throws {
    let connection: PostgresConnection
    do {
        connection = try await PostgresConnection.connect(configuration: try url.connectionConfiguration(), id: 0, logger: logger)
    } catch {
        let reason = if let error = error as? PSQLError {
            error.serverInfo?[.message] ?? error.underlying.map { "\($0)" } ?? "\(error.code)"
        } else {
            "\(error)"
        }
        throw PostgresStorageError.connectionFailed("\(url.redacted): \(reason)")
    }
    try? await connection.close()
}

/// Runs `body`, throwing `PostgresStorageError.connectionFailed` if it takes longer than `timeout`.
func withTimeout<T: Sendable>(_ timeout: Duration, describing target: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw PostgresStorageError.connectionFailed("\(target) did not answer within \(timeout).")
        }
        return value
    }
}
