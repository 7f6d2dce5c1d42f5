import Foundation
import ResetPressEngine

/// Every store a site uses, from one backend: the SQLite file of a single node, or a database
/// that several nodes share (see `ResetPressPostgres`).
///
/// Build it once at start-up, hand its members to the engine and the plugins, and `close()` it
/// once when the process stops.
public struct SiteStorage: Sendable {
    /// `sqlite` or `postgres`.
    public let backend: String
    /// Where the data lives, safe to print: a file path, or a URL without its password.
    public let location: String
    /// The settings written through the admin page, admin API and CLI.
    public let settings: any SettingsStore
    /// The users ResetPress keeps itself.
    public let users: any UserStore
    /// Reset codes, written together with their outbox mail.
    public let resetCodes: any ResetCodeStore
    /// The mail outbox the sender job drains.
    public let outbox: any MailOutbox
    /// The auth codes that open the AUTH_CODE gate.
    public let authCodes: any AuthCodeStore
    /// What the scheduler remembers of each job's runs.
    public let jobStates: any JobStateStore
    /// Request counters (the per-IP limit); shared by every node of a shared database.
    public let rateLimits: any RateLimitStore
    /// Makes a job run on one node at a time.
    public let jobLock: any JobLock
    /// The admin's browser sessions; shared by every node of a shared database.
    public let adminSessions: any AdminSessionStore
    /// The webhook deliveries the webhook sender drains.
    public let webhooks: any WebhookQueue
    /// Tells this node when another wrote settings; nil when only one node can write (SQLite).
    public let settingsFeed: (any SettingsChangeFeed)?
    /// What the flows did (requests, codes, changes, refusals, mail), for the dashboard and `resetpress stats`.
    public let events: any EventStore
    /// Which users each bulk reset run has sent (`resetpress reset send --all`), so a resumed run skips them.
    public let bulkResets: any BulkResetStore
    /// Which install secrets the data works with, so a node with another `secret.key` refuses to start.
    public let installChecks: any InstallCheckStore
    /// The admin API's tokens; shared by every node of a shared database.
    public let apiTokens: any APITokenStore
    /// Who changed what: settings, tokens, auth codes, sign-ins, retries, bulk runs.
    public let audit: any AuditStore
    private let migrations: @Sendable () async throws -> [String]
    private let closer: @Sendable () async -> Void

    /// Storage made of the given stores; `appliedMigrations` lists the schema's migrations and
    /// `close` releases the backend.
    public init(
        backend: String, location: String, settings: any SettingsStore, users: any UserStore, resetCodes: any ResetCodeStore,
        outbox: any MailOutbox, authCodes: any AuthCodeStore, jobStates: any JobStateStore, rateLimits: any RateLimitStore,
        jobLock: any JobLock, adminSessions: any AdminSessionStore, webhooks: any WebhookQueue, settingsFeed: (any SettingsChangeFeed)?,
        events: any EventStore, bulkResets: any BulkResetStore = MemoryBulkResetStore(),
        installChecks: any InstallCheckStore = MemoryInstallCheckStore(), apiTokens: any APITokenStore = MemoryAPITokenStore(),
        audit: any AuditStore = MemoryAuditStore(), appliedMigrations: @escaping @Sendable () async throws -> [String], close: @escaping @Sendable () async -> Void
    ) {
        self.backend = backend
        self.location = location
        self.settings = settings
        self.users = users
        self.resetCodes = resetCodes
        self.outbox = outbox
        self.authCodes = authCodes
        self.jobStates = jobStates
        self.rateLimits = rateLimits
        self.jobLock = jobLock
        self.adminSessions = adminSessions
        self.webhooks = webhooks
        self.settingsFeed = settingsFeed
        self.events = events
        self.bulkResets = bulkResets
        self.installChecks = installChecks
        self.apiTokens = apiTokens
        self.audit = audit
        self.migrations = appliedMigrations
        self.closer = close
    }

    /// The storage of one SQLite file: counters in memory and an in-process job lock, since
    /// only this process writes the file; no settings feed.
    public init(sqlite database: SQLiteDatabase) {
        self.init(
            backend: "sqlite", location: database.path, settings: database.settings, users: database.users,
            resetCodes: database.resetCodes, outbox: database.outbox, authCodes: database.authCodes, jobStates: database.jobStates,
            rateLimits: MemoryRateLimitStore(), jobLock: LocalJobLock(), adminSessions: database.adminSessions, webhooks: database.webhooks,
            settingsFeed: nil, events: database.events, bulkResets: database.bulkResets, installChecks: database.installChecks,
            apiTokens: database.apiTokens, audit: database.audit, appliedMigrations: { try database.appliedMigrations() },
            close: {})
    }

    /// The identifiers of the schema migrations applied so far, in order.
    public func appliedMigrations() async throws -> [String] {
        try await migrations()
    }

    /// Releases the backend (connections, listeners); call once, when nothing uses the stores any more.
    public func close() async {
        await closer()
    }
}
