import Foundation
import Logging
import ResetPressEngine
import ResetPressMail
import ResetPressStorage

/// The site's mail delivery: the outbox sender, the transport the `mail.*` settings describe, and the
/// jobs that drain the outbox and forget old sent mail.
///
/// Mail belongs to the site, not to one feature: every plugin queues into the same outbox and calls
/// ``wake()``, and delivery runs whichever plugins are active. It is an always-on plugin, started
/// first; its sender exists from the start and follows the engine's live `mail.*` settings.
public final class MailDelivery: Plugin {
    public let id = "mail"
    public let name = "Mail delivery"
    public let version = "1.0.0"
    public var isAlwaysOn: Bool { true }

    /// The outbox the sender drains.
    public let outbox: any MailOutbox
    /// Where the file transport writes `.eml` files.
    public let mailDirectory: URL
    /// This node's id, the owner of its outbox claims.
    public let nodeID: String
    /// The outbox sender; the server runs it as ``service``, the CLI drains it.
    public let sender: OutboxSender
    private let settings: SettingsEngine
    private let clock: @Sendable () -> Date
    /// The mail this node queued and has not sent yet, which paces the requests that queue more.
    public let backlog: OutboxBacklog

    /// Delivery from `outbox` with the transport `engine`'s `mail.*` settings describe, opening sealed
    /// bodies with `sealer`, writing files under `mailDirectory` (file transport); `nodeID` must be stable
    /// across restarts of this node and distinct between nodes; `events`, when given, records each mail
    /// sent and failed.
    public init(
        engine: Engine, outbox: any MailOutbox, sealer: MailSealer, mailDirectory: URL, nodeID: String, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }, events: (any EventStore)? = nil
    ) {
        self.outbox = outbox
        self.mailDirectory = mailDirectory
        self.nodeID = nodeID
        self.settings = engine.settings
        self.clock = clock
        let backlog = OutboxBacklog()
        self.backlog = backlog
        self.sender = OutboxSender(
            outbox: outbox, sealer: sealer,
            transport: MailTransportFactory.make(settings: engine.settings, mailDirectory: mailDirectory, root: engine.root, logger: logger),
            logger: logger, owner: nodeID, clock: clock,
            events: events.map { EventRecorder(store: $0, hooks: engine.hooks, logger: logger) }, backlog: backlog)
    }

    /// Registers the `mail.*` settings (before the engine loads them).
    public func registerSettings(in settings: SettingsEngine) {
        MailSettings.register(in: settings)
    }

    /// Adds the DKIM key's rule and registers the jobs `send_mail` and `flush_sent_mail`.
    public func activate(in engine: Engine) {
        let sender = self.sender
        let root = engine.root
        let dkimKeys: Set = [MailSettings.dkimDomain.name, MailSettings.dkimSelector.name, MailSettings.dkimPrivateKeyFile.name]
        engine.settings.addRule(SettingsRule(keys: dkimKeys) { settings in
            // A signing key that does not load is refused when written, naming the setting to fix.
            let dkim = MailTransportFactory.dkimConfiguration(from: settings, root: root)
            do {
                _ = try DKIMSigner.load(domain: dkim.domain, selector: dkim.selector, privateKeyFile: dkim.keyFile)
                return []
            } catch {
                return [SettingsMessage(key: MailSettings.dkimPrivateKeyFile.name, message: "\(error)")]
            }
        })
        engine.jobs.register(Job(name: "send_mail", description: "Deliver queued mail (also runs whenever mail is queued).", defaultInterval: 60) {
            let result = try await sender.drain()
            return "\(result.sent) sent, \(result.retried) to retry, \(result.failed) failed"
        })
        engine.jobs.register(Job(
            name: "flush_sent_mail", description: "Forget sent and failed mail older than mail.keep_sent_days; on SQLite, give back the pages sent bodies filled.", defaultInterval: 3600
        ) { [self, settings = engine.settings] in
            "\(try await deleteFinishedMail(keepingDays: settings[MailSettings.keepSentDays])) finished mail entries deleted"
        })
    }

    /// Asks the sender to look at the outbox now.
    public func wake() {
        sender.wake()
    }

    /// Waits, while `mail.queue_limit` or more mails this node queued are not yet sent, for the sender to
    /// make room, at most `mail.queue_wait_ms` (see ``OutboxBacklog``).
    public func admit() async {
        await backlog.admit(limit: settings[MailSettings.queueLimit], maxWait: .milliseconds(settings[MailSettings.queueWaitMilliseconds]))
    }

    /// The claim a mail this node queues is inserted with, so that this node's sender delivers it
    /// from memory (see ``QueueSender/handOff(_:)``); nil while the sender does not run here.
    public func claimForHandOff() -> QueueClaim? {
        sender.claimForHandOff()
    }

    /// Counts a mail just queued (for ``admit()``) and wakes the sender; `handedOff`, the entry of a
    /// mail inserted under a ``claimForHandOff()`` claim with its message in clear, goes to the sender.
    public func queued(handedOff: OutboxEntry? = nil) {
        backlog.queued()
        if let handedOff { sender.handOff(handedOff) } else { wake() }
    }

    /// The sender as a swift-service-lifecycle service: drains until a graceful shutdown, which lets
    /// the message being sent finish.
    public var service: QueueSenderService<OutboxMail> {
        QueueSenderService(sender: sender)
    }

    /// Deletes the sent and failed entries older than `days`; returns how many.
    public func deleteFinishedMail(keepingDays days: Int) async throws -> Int {
        try await outbox.deleteFinished(before: clock().addingTimeInterval(-Double(days) * 86_400))
    }
}
