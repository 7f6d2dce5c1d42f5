import Foundation
import Logging
import ResetPressStorage

extension SiteStorage {
    /// The storage of a shared PostgreSQL database: counters, admin sessions, job lock and settings feed in the
    /// database, so they hold across nodes. `close()` shuts the database down.
    public init(postgres database: PostgresDatabase) {
        self.init(
            backend: "postgres", location: database.url.redacted, settings: database.settings, users: database.users,
            resetCodes: database.resetCodes, outbox: database.outbox, authCodes: database.authCodes, jobStates: database.jobStates,
            rateLimits: database.rateLimits, jobLock: database.jobLock, adminSessions: database.adminSessions,
            webhooks: database.webhooks, settingsFeed: database.settingsFeed, events: database.events, bulkResets: database.bulkResets,
            installChecks: database.installChecks, apiTokens: database.apiTokens, audit: database.audit,
            appliedMigrations: { try await database.appliedMigrations() }, close: { await database.shutdown() })
    }

    /// Opens the storage at `location`, running pending migrations: the SQLite file (its folder
    /// created) or the PostgreSQL database. Throws `PostgresStorageError` for a bad URL or a
    /// failed connection, and SQLite's error for a file that cannot be opened.
    public static func open(_ location: StorageLocation, logger: Logger = Logger(label: "resetpress.storage")) async throws -> SiteStorage {
        switch location {
        case .sqlite(let path):
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            let folderNotes = try PrivateFiles.secureDirectory(folder)
            let database = try SQLiteDatabase(path: path)
            for note in folderNotes + database.permissionNotes { logger.warning("\(note)") }
            return SiteStorage(sqlite: database)
        case .postgres(let url):
            return SiteStorage(postgres: try await PostgresDatabase.open(url: url, logger: logger))
        }
    }
}
