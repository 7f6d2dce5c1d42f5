import Foundation
import Logging
import ResetPressEngine
import ResetPressDelivery
import ResetPressStorage
import Synchronization

/// Webhooks (SPEC §10): each reset action the owner lists URLs for is posted to them as signed JSON,
/// through a durable queue with retries.
///
/// A plugin, not a site-wide part like mail: nothing else depends on it, so `plugins.webhooks.active`
/// turns it off (no subscription, no sender, no jobs) and `resetpress plugins list` shows it. It
/// subscribes to `reset_password_request`, `password_reset`, `reset_password_failed` and
/// `reset_password_cancelled`, whichever plugin fires them, with a `String` argument (the login, or
/// for failures the reason) and the request's ``HookContext``. An event with no URL costs one
/// settings read; otherwise its deliveries are queued in one write, after the event's own
/// transaction committed, and the sender is woken. A crash between the two loses that event's
/// webhooks (never sends one for an event that did not happen).
public final class WebhooksPlugin: Plugin {
    /// `webhooks` (`plugins.webhooks.active`).
    public let id = "webhooks"
    /// The name shown by `resetpress plugins list`.
    public let name = "Webhooks"
    /// The plugin's version.
    public let version = "1.0.0"

    /// The durable queue of deliveries.
    public let queue: any WebhookQueue
    private let installSecret: InstallSecret
    private let nodeID: String
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let backoff: @Sendable (Int) -> TimeInterval
    private let tick: Duration
    private let active = Mutex<(sender: WebhookSender, settings: SettingsEngine)?>(nil)

    /// Webhooks queued in `queue`, signed with `webhooks.secret` or a key derived from `secret`;
    /// `nodeID` owns this node's claims (stable across restarts, distinct between nodes). `backoff`
    /// (delay after failed try n) and `tick` (how often the sender looks for due retries) are for tests.
    public init(
        queue: any WebhookQueue, secret: InstallSecret, nodeID: String, logger: Logger = Logger(label: "resetpress.webhooks"),
        clock: @escaping @Sendable () -> Date = { Date() }, backoff: @escaping @Sendable (Int) -> TimeInterval = WebhookSender.webhookBackoff(afterAttempt:),
        tick: Duration = .seconds(1)
    ) {
        self.queue = queue
        self.installSecret = secret
        self.nodeID = nodeID
        self.logger = logger
        self.clock = clock
        self.backoff = backoff
        self.tick = tick
    }

    public func registerSettings(in settings: SettingsEngine) {
        WebhookSettings.register(in: settings)
    }

    /// Subscribes to `reset_password_failed` (the flows queue the other events' deliveries with the
    /// changes they report, see ``deliveries(of:argument:context:)``), builds the sender and registers
    /// the jobs `send_webhooks` and `flush_sent_webhooks`.
    public func activate(in engine: Engine) async throws {
        let settings = engine.settings
        let installSecret = self.installSecret
        let sender = WebhookSender(
            queue: queue,
            configuration: {
                let snapshot = settings.snapshot
                return WebhookDeliverer.Configuration(
                    secrets: WebhookSignature.secrets(settings: snapshot, installSecret: installSecret),
                    timeout: .milliseconds(snapshot[WebhookSettings.timeoutMilliseconds]))
            },
            owner: nodeID, logger: logger, backoff: backoff, clock: clock)
        active.withLock { $0 = (sender, settings) }
        // The other events report state changes: their flows queue the deliveries in the change's transaction.
        engine.hooks.addAction(WebhookEvent.resetPasswordFailed.rawValue, priority: 100, label: "webhooks") {
            [self] (argument: String, context: HookContext) in
            await self.queueDeliveries(of: .resetPasswordFailed, argument: argument, context: context, settings: settings.snapshot)
        }
        engine.jobs.register(Job(name: "send_webhooks", description: "Post queued webhooks (also runs whenever one is queued).", defaultInterval: 60) {
            let result = try await sender.drain()
            return "\(result.sent) sent, \(result.retried) to retry, \(result.failed) failed"
        })
        let queue = self.queue
        let clock = self.clock
        engine.jobs.register(Job(
            name: "flush_sent_webhooks", description: "Forget sent and failed webhooks older than webhooks.keep_sent_days; on SQLite, give back the pages sent bodies filled.", defaultInterval: 3600
        ) {
            let days = settings[WebhookSettings.keepSentDays]
            return "\(try await queue.deleteFinished(before: clock().addingTimeInterval(-Double(days) * 86_400))) finished webhooks deleted"
        })
    }

    /// The deliveries that report `action` with `argument` for the user in `context`, one per URL
    /// listed for it: for a flow to queue in the transaction of the change they report. None while
    /// the plugin is inactive, for an action that is no webhook event, or when no URL is listed.
    public func deliveries(of action: String, argument: String, context: HookContext) -> [QueuedWebhook] {
        guard let event = WebhookEvent(rawValue: action), let settings = active.withLock({ $0?.settings.snapshot }) else { return [] }
        do {
            return try deliveries(of: event, argument: argument, context: context, settings: settings)
        } catch {
            logger.error("webhook body not built", metadata: ["event": "\(action)", "error": "\(error)"])
            return []
        }
    }

    /// One delivery of `event` per URL listed for it, each with its own delivery id.
    func deliveries(of event: WebhookEvent, argument: String, context: HookContext, settings: SettingsSnapshot) throws -> [QueuedWebhook] {
        var seen = Set<String>()
        let urls = settings[WebhookSettings.urls(for: event)].filter { seen.insert($0).inserted }
        guard !urls.isEmpty else { return [] }
        let payload = WebhookPayload(
            event: event, context: context, time: clock(), siteURL: settings[CoreSettings.siteURL],
            reason: event == .resetPasswordFailed ? argument : nil)
        let body = try payload.json()
        return urls.map { QueuedWebhook(event: event.rawValue, url: $0, body: body, deliveryID: UUID().uuidString.lowercased()) }
    }

    /// Queues the deliveries of an event that changed nothing (a failure), and wakes the sender. A
    /// failure to queue is logged, never thrown: the request that fired the event has already answered.
    func queueDeliveries(of event: WebhookEvent, argument: String, context: HookContext, settings: SettingsSnapshot) async {
        do {
            let webhooks = try deliveries(of: event, argument: argument, context: context, settings: settings)
            guard !webhooks.isEmpty else { return }
            _ = try await queue.enqueue(webhooks, now: clock())
            sender?.wake()
        } catch {
            logger.error("webhooks not queued", metadata: ["event": "\(event.rawValue)", "error": "\(error)"])
        }
    }

    /// The sender, once the engine activated the plugin; nil while it is inactive.
    public var sender: WebhookSender? {
        active.withLock { $0?.sender }
    }

    /// The sender as a service, once the engine activated the plugin; nil while it is inactive.
    public var service: QueueSenderService<QueuedWebhook>? {
        sender.map { QueueSenderService(sender: $0, tick: tick) }
    }

    /// The key deliveries are signed with now: `webhooks.secret`, or the one derived from the install secret.
    public func signingSecret(settings: SettingsSnapshot) -> String {
        WebhookSignature.secret(settings: settings, installSecret: installSecret)
    }

    /// Whether `webhooks.secret` is set (else the signing key is derived from the install secret).
    public static func hasConfiguredSecret(_ settings: SettingsSnapshot) -> Bool {
        !settings[WebhookSettings.secret].isEmpty
    }
}
