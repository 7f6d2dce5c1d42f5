import Foundation
import Hummingbird
import Logging
import ResetPressDelivery
import ResetPressEngine
import ResetPressHTTP
import ResetPressMail
import ResetPressStorage
import ResetPressTemplates
import ResetPressUsers

/// The reset-password module: the first plugin of the engine (SPEC §2–§7).
///
/// It registers the reset settings, the code flush job and the SJL-compatible routes, and queues its
/// mail into the site's outbox through ``MailDelivery`` (site-wide mail and HTTP settings belong to
/// the site). Its stores are protocols, so a host may bring its own users.
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
    /// The site's mail delivery, woken when a flow queues mail.
    let mail: MailDelivery
    let rateLimits: any RateLimitStore
    /// Whether `users` is the code store's own user table (a password change is then one transaction).
    let passwordsInCodeStore: Bool
    let clock: @Sendable () -> Date
    /// Where the flows record what they did; nil records nothing.
    let events: (any EventStore)?
    /// The webhook deliveries each change queues in its transaction.
    let webhooks: ResetWebhooks
    /// The reset flows. The routes and jobs use them only when the plugin is active (see ``activeService``).
    public let service: ResetPasswordService
    /// The support desk, when the users live in the site's own table; nil for a host's directory.
    public let support: SupportDesk?
    private let engine: Engine

    /// A plugin over explicit stores, queuing into `mail`'s outbox; `rateLimits` counts the per-IP
    /// limit (in memory unless nodes share a store). `passwordsInCodeStore` says that `users` is the
    /// user table of the database `codes` writes to, so that a password change sets the hash in the
    /// code's transaction; `events` receives what the flows did, and `webhooks` gives the deliveries
    /// each change queues with itself.
    public init(
        engine: Engine, users: any UserDirectory, codes: any ResetCodeStore, authCodes: any AuthCodeStore, secret: InstallSecret, mail: MailDelivery,
        rateLimits: any RateLimitStore = MemoryRateLimitStore(), hasher: PasswordHasher = PasswordHasher(),
        passwordsInCodeStore: Bool = false, events: (any EventStore)? = nil, webhooks: ResetWebhooks = .none,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        let service = ResetPasswordService(
            settings: engine.settings, hooks: engine.hooks, root: engine.root, logger: engine.logger, users: users, codes: codes,
            gate: AuthCodeGate(store: authCodes, secret: secret), secret: secret, hasher: hasher, templates: TemplateCache(),
            rateLimits: rateLimits, clock: clock, passwordsInCodeStore: passwordsInCodeStore,
            events: events.map { EventRecorder(store: $0, hooks: engine.hooks, logger: engine.logger) }, webhooks: webhooks,
            mailQueued: { mail.queued(handedOff: $0) },
            admitMail: { await mail.admit() }, claimMail: { mail.claimForHandOff() })
        self.service = service
        self.support = (users as? any UserStore).map {
            SupportDesk(users: $0, codes: codes, events: events, outbox: mail.outbox, service: service)
        }
        self.events = events
        self.webhooks = webhooks
        self.passwordsInCodeStore = passwordsInCodeStore
        self.users = users
        self.rateLimits = rateLimits
        self.codes = codes
        self.outbox = mail.outbox
        self.gate = service.gate
        self.secret = secret
        self.hasher = hasher
        self.mail = mail
        self.clock = clock
        self.engine = engine
    }

    /// A plugin over the site's storage (SQLite or a shared database), with users kept there too
    /// unless `users` is given.
    public convenience init(
        engine: Engine, storage: SiteStorage, secret: InstallSecret, mail: MailDelivery, users: (any UserDirectory)? = nil,
        hasher: PasswordHasher = PasswordHasher(), webhooks: ResetWebhooks = .none, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.init(
            engine: engine, users: users ?? storage.users, codes: storage.resetCodes, authCodes: storage.authCodes, secret: secret, mail: mail,
            rateLimits: storage.rateLimits, hasher: hasher, passwordsInCodeStore: users == nil, events: storage.events, webhooks: webhooks,
            clock: clock)
    }

    public func registerSettings(in settings: SettingsEngine) {
        ResetPasswordSettings.register(in: settings)
    }

    public func activate(in engine: Engine) async throws {
        for rule in ResetPasswordRules.all(gate: gate, templatesDirectory: engine.root.appendingPathComponent("templates/password")) {
            engine.settings.addRule(rule)
        }
        try await gate.refresh()
        try await sealQueuedResetMail(logger: engine.logger)
        let service = self.service
        engine.jobs.register(Job(
            name: "flush_expired_password_resets", description: "Delete expired reset codes and links.", defaultInterval: 3600
        ) {
            "\(try await service.flushExpiredPasswordResets()) expired reset codes deleted"
        })
    }

    /// The reset flows, once the engine has activated the plugin; nil while it is inactive
    /// (`plugins.reset_password.active` off) or not yet started.
    public var activeService: ResetPasswordService? {
        engine.isActive(id) ? service : nil
    }

    /// The password hasher (bcrypt off the event loop).
    public var passwordHasher: PasswordHasher { hasher }

    /// The reset endpoint (`/<ns>/user(s)/reset_password`), the reset-form page (`/_resetpassword`) and
    /// the cancel page (`/_resetpassword/cancel`) as routes for a router of any context that gives what
    /// they need, so a host mounts them on its own router. Call once the engine has started the plugin
    /// (it must be active).
    public func routes<Context: ResetPressContext>(context: Context.Type = Context.self) -> RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        ResetPasswordRoutes(service: service).add(to: routes)
        ResetFormRoutes(service: service).add(to: routes)
        return routes
    }

    public func addRoutes(to router: Router<ResetPressRequestContext>, engine: Engine) {
        router.addRoutes(routes(context: ResetPressRequestContext.self))
    }
}
