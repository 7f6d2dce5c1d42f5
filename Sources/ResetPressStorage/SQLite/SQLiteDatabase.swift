import Foundation
import GRDB

/// The site's SQLite database: one WAL-mode file, its schema made only by registered migrations.
///
/// The facade owns the connection pool. Stores built on it (`settings`, `users`, `resetCodes`,
/// `outbox`, `authCodes`, `jobStates`, `adminSessions`, `webhooks`) expose intention-named methods; no SQL lives outside this module.
public final class SQLiteDatabase: Sendable {
    /// The file name used under the data directory.
    public static let fileName = "resetpress.sqlite"

    let pool: DatabasePool
    /// Batches the reset flows' concurrent writes into shared commits.
    let committer: GroupCommitter
    /// The request path's point reads.
    let readers: PointReaders
    /// The file's path.
    public let path: String
    /// What opening had to say about the files' modes (tightened to 0600, or left shared): to log as warnings.
    public let permissionNotes: [String]

    /// Opens (creating it 0600 if needed) the database at `path` and runs pending migrations.
    public init(path: String) throws {
        permissionNotes = PrivateFiles.secureDatabase(at: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // A 200 promises the record is on disk: commit waits for the WAL to reach it.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Deleted content (a sent mail's body, a used code) is overwritten with zeros, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        self.path = path
        pool = try DatabasePool(path: path, configuration: configuration)
        committer = GroupCommitter(pool: pool)
        readers = PointReaders(path: path, pool: pool)
        try SchemaMigrations.migrator.migrate(pool)
    }

    /// Opens `<dataDirectory>/resetpress.sqlite`, creating the folder 0700.
    public convenience init(dataDirectory: URL) throws {
        try PrivateFiles.secureDirectory(dataDirectory)
        try self.init(path: dataDirectory.appendingPathComponent(Self.fileName).path)
    }

    /// The settings written through the admin page, admin API and CLI.
    public var settings: SQLiteSettingsStore { SQLiteSettingsStore(pool: pool) }

    /// The users ResetPress keeps itself.
    public var users: SQLiteUserStore { SQLiteUserStore(pool: pool, readers: readers) }

    /// Reset codes, written together with their outbox mail.
    public var resetCodes: SQLiteResetCodeStore { SQLiteResetCodeStore(pool: pool, readers: readers, committer: committer) }

    /// The mail outbox the sender job drains.
    public var outbox: SQLiteMailOutbox { SQLiteMailOutbox(pool: pool, committer: committer) }

    /// The auth codes that open the AUTH_CODE gate.
    public var authCodes: SQLiteAuthCodeStore { SQLiteAuthCodeStore(pool: pool) }

    /// What the scheduler remembers of each job's runs.
    public var jobStates: SQLiteJobStateStore { SQLiteJobStateStore(pool: pool) }

    /// The admin's browser sessions.
    public var adminSessions: SQLiteAdminSessionStore { SQLiteAdminSessionStore(pool: pool) }

    /// What the flows did, for the dashboard and `resetpress stats`.
    public var events: SQLiteEventStore { SQLiteEventStore(pool: pool, committer: committer) }

    /// The webhook deliveries the webhook sender drains.
    public var webhooks: SQLiteWebhookQueue { SQLiteWebhookQueue(pool: pool, committer: committer) }

    /// The journal mode in force (`wal`).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// SQLite's own consistency check: `["ok"]` when the file is sound.
    public func integrityCheck() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// The names of the migrations applied so far, in order.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try SchemaMigrations.migrator.appliedMigrations(db) }
    }
}
