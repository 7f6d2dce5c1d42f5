import Foundation
import Hummingbird
import Logging
import ResetPressEngine
import ResetPressHTTP
import ResetPressMail
import ResetPressStorage
import ResetPressTemplates
import ResetPressUsers
import Synchronization

/// The reset-password module: the first plugin of the engine (SPEC §2–§7).
///
/// It registers the reset, mail and HTTP settings, the flush and mail jobs, and the
/// SJL-compatible routes. Its stores are protocols, so a host may bring its own users.
public final class ResetPasswordPlugin: RoutePlugin {
    public let id = "reset_password"
    public let name = "Reset Password"
    public let version = "1.0.0"

    let users: any UserDirectory
    let codes: any ResetCodeStore
    let outbox: any MailOutbox
    /// The AUTH_CODE gate and its codes.
    public let gate: AuthCodeGate
    let secret: InstallSecret
    let hasher: PasswordHasher
    let mailDirectory: URL
    /// The outbox sender's node id.
    let nodeID: String
    let rateLimits: any RateLimitStore
    /// Whether `users` is the code store's own user table (a password change is then one transaction).
    let passwordsInCodeStore: Bool
    let clock: @Sendable () -> Date
    let templates = TemplateCache()
    private let activated = Mutex<Active?>(nil)

    private struct Active {
        let service: ResetPasswordService
        let sender: OutboxSender
    }

    /// A plugin over explicit stores; `mailDirectory` is where the file transport writes,
    /// `rateLimits` counts the per-IP limit (in memory unless nodes share a store) and `nodeID` owns
    /// this node's outbox claims (by default ``OutboxSender/nodeID(dataDirectory:)`` of `mailDirectory`).
    /// `passwordsInCodeStore` says that `users` is the user table of the database `codes` writes to, so
    /// that a password change sets the hash in the code's transaction.
    public init(
        users: any UserDirectory, codes: any ResetCodeStore, outbox: any MailOutbox, authCodes: any AuthCodeStore,
        secret: InstallSecret, mailDirectory: URL, rateLimits: any RateLimitStore = MemoryRateLimitStore(),
        hasher: PasswordHasher = PasswordHasher(), nodeID: String? = nil, passwordsInCodeStore: Bool = false,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.passwordsInCodeStore = passwordsInCodeStore
        self.users = users
        self.rateLimits = rateLimits
        self.codes = codes
        self.outbox = outbox
        self.gate = AuthCodeGate(store: authCodes, secret: secret)
        self.secret = secret
        self.hasher = hasher
        self.mailDirectory = mailDirectory
        self.nodeID = nodeID ?? OutboxSender.nodeID(dataDirectory: mailDirectory)
        self.clock = clock
    }

    /// A plugin over the site's storage (SQLite or a shared database), with users kept there too
    /// unless `users` is given; the install secret and mail spool live under `dataDirectory`.
    public convenience init(
        storage: SiteStorage, dataDirectory: URL, users: (any UserDirectory)? = nil, hasher: PasswordHasher = PasswordHasher(),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.init(
            users: users ?? storage.users, codes: storage.resetCodes, outbox: storage.outbox, authCodes: storage.authCodes,
            secret: try InstallSecret.loadOrCreate(in: dataDirectory), mailDirectory: dataDirectory.appendingPathComponent("mail"),
            rateLimits: storage.rateLimits, hasher: hasher, nodeID: OutboxSender.nodeID(dataDirectory: dataDirectory),
            passwordsInCodeStore: users == nil, clock: clock)
    }

    /// A plugin over the site's SQLite database, with users kept there too unless `users` is given.
    public convenience init(
        database: SQLiteDatabase, dataDirectory: URL, users: (any UserDirectory)? = nil, hasher: PasswordHasher = PasswordHasher(),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        try self.init(storage: SiteStorage(sqlite: database), dataDirectory: dataDirectory, users: users, hasher: hasher, clock: clock)
    }

    public func registerSettings(in settings: SettingsEngine) {
        ResetPasswordSettings.register(in: settings)
        MailSettings.register(in: settings)
        HTTPSettings.register(in: settings)
    }

    public func activate(in engine: Engine) async throws {
        for rule in ResetPasswordRules.all(gate: gate, templatesDirectory: engine.root.appendingPathComponent("templates/password")) {
            engine.settings.addRule(rule)
        }
        try await gate.refresh()
        let logger = engine.logger
        try await sealQueuedResetMail(logger: logger)
        let sender = OutboxSender(
            outbox: outbox, sealer: secret.mailSealer(), transport: MailTransportFactory.make(settings: engine.settings, mailDirectory: mailDirectory, logger: logger), logger: logger,
            owner: nodeID, clock: clock)
        let service = ResetPasswordService(
            engine: engine, users: users, codes: codes, gate: gate, secret: secret, hasher: hasher, templates: templates,
            rateLimits: rateLimits, clock: clock, passwordsInCodeStore: passwordsInCodeStore, mailQueued: { sender.wake() })
        activated.withLock { $0 = Active(service: service, sender: sender) }
        engine.jobs.register(Job(
            name: "flush_expired_password_resets", description: "Delete expired reset codes and links, and old sent or failed mail.",
            defaultInterval: 3600
        ) { [self, settings = engine.settings] in
            let codes = try await service.flushExpiredPasswordResets()
            return "\(codes) expired reset codes deleted, \(try await deleteFinishedMail(settings: settings)) finished mail entries deleted"
        })
        engine.jobs.register(Job(name: "send_mail", description: "Deliver queued mail (also runs whenever mail is queued).", defaultInterval: 60) {
            let result = try await sender.drain()
            return "\(result.sent) sent, \(result.retried) to retry, \(result.failed) failed"
        })
    }

    /// The reset flows; available once the engine has activated the plugin.
    public var service: ResetPasswordService {
        guard let active = activated.withLock({ $0 }) else { preconditionFailure("ResetPasswordPlugin used before Engine.start()") }
        return active.service
    }

    /// The outbox sender; the server runs it, the CLI drains it.
    public var sender: OutboxSender {
        guard let active = activated.withLock({ $0 }) else { preconditionFailure("ResetPasswordPlugin used before Engine.start()") }
        return active.sender
    }

    /// The password hasher (bcrypt off the event loop).
    public var passwordHasher: PasswordHasher { hasher }

    public func addRoutes(to router: Router<ResetPressRequestContext>, engine: Engine) {
        ResetPasswordRoutes(service: service).add(to: router)
        ResetFormRoutes(service: service).add(to: router)
    }
}
