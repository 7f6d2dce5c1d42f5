import Foundation
import Hummingbird
import Logging
import ResetPassword
import ResetPressAdmin
import ResetPressDelivery
import ResetPressEngine
import ResetPressHTTP
import ResetPressPostgres
import ResetPressServer
import ResetPressStorage
import ResetPressUsers
import ResetPressWebhooks
import ServiceLifecycle

/// One site, composed once for every host: the CLI, the tests and an app that embeds ResetPress.
///
/// ``open(_:)`` opens the storage, makes the data folder private, loads the install secret, builds
/// the mail delivery, the reset, admin and webhooks plugins (and the host's own), registers the site-wide
/// settings (`http.*`, `mail.*`) and starts the engine. A host then mounts ``router()`` (or the reset
/// plugin's routes on its own router), hands ``services`` to Hummingbird's `Application(services:)`,
/// and calls ``close()`` when it stops. Any plugin may be inactive: the site runs without it.
public final class Site: Sendable {
    /// The site root.
    public let root: URL
    /// Where runtime data lives.
    public let dataDirectory: URL
    /// Every store, from one backend.
    public let storage: SiteStorage
    /// The per-install key codes are hashed and outbox bodies sealed under.
    public let secret: InstallSecret
    /// Settings, hooks, jobs and plugins.
    public let engine: Engine
    /// The outbox sender and the transport the mail settings describe.
    public let mail: MailDelivery
    /// The reset-password plugin (it may be inactive).
    public let reset: ResetPasswordPlugin
    /// The admin pages and API (it may be inactive).
    public let admin: AdminPlugin
    /// The webhooks of the reset actions (it may be inactive).
    public let webhooks: WebhooksPlugin
    /// Hashes new passwords and verifies old ones.
    public let hasher: PasswordHasher

    private init(
        root: URL, dataDirectory: URL, storage: SiteStorage, secret: InstallSecret, engine: Engine, mail: MailDelivery,
        reset: ResetPasswordPlugin, admin: AdminPlugin, webhooks: WebhooksPlugin, hasher: PasswordHasher
    ) {
        self.root = root
        self.dataDirectory = dataDirectory
        self.storage = storage
        self.secret = secret
        self.engine = engine
        self.mail = mail
        self.reset = reset
        self.admin = admin
        self.webhooks = webhooks
        self.hasher = hasher
    }

    /// Opens and starts the site `configuration` describes; throws ``SiteError`` naming what to fix.
    public static func open(_ configuration: SiteConfiguration) async throws -> Site {
        let logger = configuration.logger
        let data = configuration.dataDirectory
        do {
            let mailFolder = data.appendingPathComponent("mail")
            var notes = try PrivateFiles.secureDirectory(data)
            if FileManager.default.fileExists(atPath: mailFolder.path) { notes += try PrivateFiles.secureDirectory(mailFolder) }
            for note in notes { logger.warning("\(note)") }
        } catch {
            throw SiteError.dataDirectory(path: data.path, reason: "\(error)")
        }
        let storage = try await openStorage(configuration)
        do {
            let secret: InstallSecret
            do {
                secret = try InstallSecret.load(in: data, environment: configuration.environment)
            } catch {
                throw SiteError.installSecret(path: data.path, reason: "\(error.localizedDescription)")
            }
            // Before anything is sealed, hashed or signed: a node with another secret would write what no other node can open.
            guard try await storage.installChecks.admits(secret.checkValue, now: configuration.clock()) else {
                throw SiteError.foreignSecret(
                    file: InstallSecret.file(in: data, environment: configuration.environment).path, storage: storage.location)
            }
            let engine = Engine(root: configuration.root, storage: storage, environment: configuration.environment, logger: logger)
            let mail = MailDelivery(
                engine: engine, outbox: storage.outbox, sealer: secret.mailSealer(), mailDirectory: data.appendingPathComponent("mail"),
                nodeID: OutboxSender.nodeID(dataDirectory: data), logger: logger, clock: configuration.clock,
                events: storage.events)
            let webhooks = WebhooksPlugin(
                queue: storage.webhooks, secret: secret, nodeID: mail.nodeID, logger: logger, clock: configuration.clock,
                backoff: configuration.webhookBackoff, tick: configuration.webhookTick)
            let reports = ResetWebhooks(
                deliveries: { [webhooks] in webhooks.deliveries(of: $0, argument: $1, context: $2) }, queued: { [webhooks] in webhooks.sender?.wake() })
            let reset = ResetPasswordPlugin(
                engine: engine, storage: storage, secret: secret, mail: mail, users: configuration.users, hasher: configuration.hasher,
                webhooks: reports, clock: configuration.clock)
            let admin = AdminPlugin(
                reset: reset, mail: mail, storage: storage, secret: secret, wakeWebhooks: { [webhooks] in webhooks.sender?.wake() },
                clock: configuration.clock)
            // The always-on parts first: the plugins after them queue mail and read the HTTP settings.
            let core: [any Plugin] = [mail, SitePlugin(events: storage.events, audit: storage.audit, clock: configuration.clock)]
            do {
                try await engine.start(plugins: core + [reset, admin, webhooks] + configuration.plugins)
            } catch let error as SettingsLoadError {
                throw SiteError.settings(error.description)
            } catch let error as UntrustedFileError {
                throw SiteError.untrustedFile(error.description)
            }
            return Site(
                root: configuration.root, dataDirectory: data, storage: storage, secret: secret, engine: engine, mail: mail,
                reset: reset, admin: admin, webhooks: webhooks, hasher: configuration.hasher)
        } catch {
            await storage.close()
            throw error
        }
    }

    /// The storage the configuration names, opened and migrated.
    public static func openStorage(_ configuration: SiteConfiguration) async throws -> SiteStorage {
        let location: StorageLocation
        switch configuration.storage {
        case .stores(let storage):
            return storage
        case .location(let given):
            location = given
        case .configured:
            do {
                location = try StorageLocation.configured(
                    root: configuration.root, dataDirectory: configuration.dataDirectory, environment: configuration.environment)
            } catch let error as SettingsLoadError {
                throw SiteError.settings(error.description)
            } catch {
                throw SiteError.settings("storage.url: \(error)")
            }
        }
        do {
            return try await SiteStorage.open(location, logger: configuration.logger)
        } catch {
            throw SiteError.storage(location: "\(location)", reason: "\(error)")
        }
    }

    /// The background work a server runs beside its routes: the mail sender, the job loop, the admin's
    /// bulk resets and, while the webhooks plugin is active, the webhook sender.
    public var services: [any Service] {
        [mail.service, JobLoopService(jobs: engine.jobs)] + (admin.bulkResets.map { [$0] } ?? []) + (webhooks.service.map { [$0] } ?? [])
    }

    /// The site's routes: health, metrics, the OpenAPI document and every active plugin's, behind CORS
    /// and the body limit.
    public func router(metrics: SiteMetrics? = nil) -> Router<ResetPressRequestContext> {
        ResetPressApplication.buildRouter(engine: engine, metrics: metrics)
    }

    /// The site's responder: the router, with SJL's `/wp-json/...` and `?rest_route=` forms rewritten.
    public func responder(metrics: SiteMetrics? = nil) -> some HTTPResponder<ResetPressRequestContext> {
        ResetPressApplication.buildResponder(engine: engine, metrics: metrics)
    }

    /// Stops following the settings feed and closes the storage; call once, after the services ended.
    public func close() async {
        engine.stop()
        await storage.close()
    }
}
