import Foundation
import Hummingbird
import ResetPassword
import ResetPressDelivery
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage
import ResetPressTemplates
import ResetPressUsers

/// The admin pages at `/admin` and the admin JSON API at `/admin/api/...` (SPEC §6, §8).
///
/// Signing in takes the admin password, whose bcrypt hash is the setting `admin.password_hash`
/// (written by `resetpress admin set-password`). The pages work on the site's settings, the
/// reset plugin's mail and auth codes, the outbox, the webhook queue and bulk resets.
public final class AdminPlugin: RoutePlugin {
    /// `admin` (`plugins.admin.active` turns the pages off).
    public let id = "admin"
    /// The name shown by `resetpress plugins list`.
    public let name = "Admin"
    /// The plugin's version.
    public let version = "1.0.0"

    let reset: ResetPasswordPlugin
    /// The site's mail delivery: its outbox is listed, its sender woken after a retry.
    let mail: MailDelivery
    /// The admin sessions, in the site's database.
    public let sessions: any AdminSessionStore
    /// The webhook deliveries, listed and retried on the Webhooks page.
    public let webhooks: any WebhookQueue
    /// Wrong-password limits per client IP, in the site's rate-limit store.
    public let throttle: SignInThrottle
    /// How many sessions are kept at most (GETs of the sign-in form cannot grow the table beyond it).
    let sessionCapacity: Int
    /// The site's events, which the dashboard reads; nil: the dashboard says there are none.
    let events: (any EventStore)?
    /// Runs the bulk resets the Bulk reset page confirms; nil: the page says bulk resets are not
    /// available here. A server runs it among its services (`Site.services`).
    public let bulkResets: BulkResetWorker?
    /// The Bulk reset page's pending confirmations.
    let confirmations = BulkResetConfirmations()
    let clock: @Sendable () -> Date
    /// Asks the webhook sender to look at its queue now.
    let wakeWebhooks: @Sendable () -> Void
    /// The admin API's tokens; nil when this host keeps none (only the session and, if allowed, the password work).
    public let tokens: APITokens?
    /// Where the pages and the API record who changed what; nil records nothing.
    let audit: (any AuditStore)?
    let templates = TemplateCache()

    /// An admin over the reset plugin, the site's mail delivery, the session store, the
    /// rate-limit store that counts wrong passwords and the webhook queue; at most `sessionCapacity`
    /// sessions are kept; `bulkResets` runs what the Bulk reset page confirms; `wakeWebhooks` asks the
    /// webhook sender to look at its queue (after a retry).
    public init(
        reset: ResetPasswordPlugin, mail: MailDelivery, sessions: any AdminSessionStore, rateLimits: any RateLimitStore,
        webhooks: any WebhookQueue, sessionCapacity: Int = AdminSessionPolicy.defaultCapacity, events: (any EventStore)? = nil,
        bulkResets: BulkResetWorker? = nil, tokens: APITokens? = nil, audit: (any AuditStore)? = nil,
        wakeWebhooks: @escaping @Sendable () -> Void = {}, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.tokens = tokens
        self.audit = audit
        self.wakeWebhooks = wakeWebhooks
        self.reset = reset
        self.bulkResets = bulkResets
        self.events = events
        self.mail = mail
        self.sessions = sessions
        self.webhooks = webhooks
        self.throttle = SignInThrottle(store: rateLimits)
        self.sessionCapacity = max(1, sessionCapacity)
        self.clock = clock
    }

    /// An admin over the reset plugin, the site's mail delivery and its storage (sessions, counters, events, webhooks,
    /// users and bulk reset runs).
    public convenience init(
        reset: ResetPasswordPlugin, mail: MailDelivery, storage: SiteStorage, secret: InstallSecret,
        wakeWebhooks: @escaping @Sendable () -> Void = {}, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.init(
            reset: reset, mail: mail, sessions: storage.adminSessions, rateLimits: storage.rateLimits, webhooks: storage.webhooks,
            events: storage.events, bulkResets: BulkResetWorker(reset: reset, storage: storage, clock: clock),
            tokens: APITokens(store: storage.apiTokens, secret: secret), audit: storage.audit, wakeWebhooks: wakeWebhooks, clock: clock)
    }

    /// Registers `admin.password_hash` and `admin.session_minutes`.
    public func registerSettings(in settings: SettingsEngine) {
        AdminSettings.register(in: settings)
    }

    /// Registers the job `flush_admin_sessions`, which deletes the sessions that expired.
    public func activate(in engine: Engine) async throws {
        let sessions = self.sessions
        let clock = self.clock
        let settings = engine.settings
        engine.jobs.register(Job(name: "flush_admin_sessions", description: "Delete expired admin sessions.", defaultInterval: 600) {
            let idle = TimeInterval(settings[AdminSettings.sessionMinutes] * 60)
            return "\(try await sessions.deleteExpired(idleTimeout: idle, now: clock())) expired admin sessions deleted"
        })
    }

    /// Adds the pages under `/admin` and the JSON API under `/admin/api`.
    public func addRoutes(to router: Router<ResetPressRequestContext>, engine: Engine) {
        let site = AdminSite(engine: engine, plugin: self)
        AdminRoutes(site: site).add(to: router)
        AdminAPIRoutes(site: site).add(to: router)
    }

    /// Hashes `password` with bcrypt (cost `users.password_hash_cost`) and stores it as
    /// `admin.password_hash`; signed-in sessions of the old password end at their next request.
    /// Throws `AdminPasswordError` for a password that is too short, and `SettingsWriteError`
    /// when the setting is pinned by the environment or a file.
    public static func setPassword(_ password: String, engine: Engine, hasher: PasswordHasher, actor: AuditActor, at now: Date) async throws {
        guard password.count >= minimumPasswordLength else { throw AdminPasswordError.tooShort(minimum: minimumPasswordLength) }
        guard !password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw AdminPasswordError.controlCharacters
        }
        let hash = try await hasher.hash(password, cost: engine.settings[ResetPasswordSettings.passwordHashCost])
        try await engine.settings.set([AdminSettings.passwordHash.name: .value(.string(hash))], actor: actor, at: now)
    }

    /// The shortest admin password accepted.
    public static let minimumPasswordLength = 12
}

/// Why an admin password was refused.
public enum AdminPasswordError: Error, Equatable, CustomStringConvertible {
    /// Shorter than `minimum` characters.
    case tooShort(minimum: Int)
    /// Holds a control character (a pasted line break, a tab).
    case controlCharacters

    /// What to do about it.
    public var description: String {
        switch self {
        case .tooShort(let minimum): "The admin password must be at least \(minimum) characters long."
        case .controlCharacters: "The admin password must not contain control characters."
        }
    }
}

/// Everything the admin routes work with, for one site.
struct AdminSite: Sendable {
    let engine: Engine
    let plugin: AdminPlugin

    var settings: SettingsEngine { engine.settings }
    var sessions: any AdminSessionStore { plugin.sessions }
    var sessionCapacity: Int { plugin.sessionCapacity }
    var throttle: SignInThrottle { plugin.throttle }
    var outbox: any MailOutbox { plugin.mail.outbox }
    var events: (any EventStore)? { plugin.events }
    var webhooks: any WebhookQueue { plugin.webhooks }
    var tokens: APITokens? { plugin.tokens }
    var bulkResets: BulkResetWorker? { plugin.bulkResets }
    var confirmations: BulkResetConfirmations { plugin.confirmations }
    var gate: AuthCodeGate { plugin.reset.gate }
    var hasher: PasswordHasher { plugin.reset.passwordHasher }
    var templates: TemplateCache { plugin.templates }
    var now: Date { plugin.clock() }

    /// The reset flows, when the reset plugin is active (the mail editor needs them).
    var service: ResetPasswordService? {
        plugin.reset.activeService
    }

    /// Records that `actor` did `action` to `subject` in the audit trail (no secret goes in).
    func record(_ action: String, _ subject: String, detail: String = "", by actor: AuditActor) async throws {
        try await record(AuditRecord(at: now, actor: actor, action: action, subject: subject, detail: detail))
    }

    /// Adds `record` to the audit trail.
    func record(_ record: AuditRecord) async throws {
        try await plugin.audit?.record([record])
    }

    /// Wakes the mail sender after a retry.
    func wakeSender() {
        plugin.mail.wake()
    }

    /// Wakes the webhook sender after a retry.
    func wakeWebhookSender() {
        plugin.wakeWebhooks()
    }

    /// `templates/admin/` under the site root.
    var templatesDirectory: URL { engine.root.appendingPathComponent("templates/admin") }
}
