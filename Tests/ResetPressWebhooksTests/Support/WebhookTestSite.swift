import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ResetPassword
import ResetPressEngine
import ResetPressMail
import ResetPressSite
import ResetPressStorage
import ResetPressUsers
import ResetPressWebhooks
import ServiceLifecycle
import Synchronization

/// A whole site on a SQLite file in a temporary folder, with its services running (mail sender, job
/// loop, webhook sender) on the real clock, webhook retries after 0.2 s and a sender tick of 0.1 s.
final class WebhookTestSite: Sendable {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let resetPath = "/simple-jwt-login/v1/user/reset_password"

    let root: URL
    let site: Site
    private let group: ServiceGroup
    private let running: Task<Void, any Error>
    /// Plain codes seen by `reset_password_code_created`, in order.
    let codes = Mutex<[String]>([])
    /// The text of each reset mail as the `reset_password_mail` filter saw it, in order.
    let mails = Mutex<[String]>([])

    var engine: Engine { site.engine }
    var queue: any WebhookQueue { site.storage.webhooks }

    /// A site whose settings `environment` pins (`RESETPRESS_...`); `reopening` the folder of a stopped
    /// site (its database, install secret and queue) instead of a new one.
    init(environment: [String: String] = [:], reopening existing: URL? = nil) async throws {
        if let existing {
            root = existing
        } else {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-webhooks-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("settings"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: Self.repositoryRoot.appendingPathComponent("templates"), to: root.appendingPathComponent("templates"))
        }
        var configuration = SiteConfiguration(root: root)
        configuration.storage = .location(.sqlite(path: root.appendingPathComponent("var/resetpress.sqlite").path))
        configuration.environment = [
            "RESETPRESS_USERS__PASSWORD_HASH_COST": "4",
            "RESETPRESS_SITE__URL": "https://accounts.example.org",
            "RESETPRESS_MAIL__FROM": "support@example.org",
        ].merging(environment) { $1 }
        configuration.hasher = PasswordHasher(maxConcurrent: 2)
        configuration.logger = Logger(label: "test.webhooks", factory: { _ in SwiftLogNoOpLogHandler() })
        configuration.webhookBackoff = { _ in 0.2 }
        configuration.webhookTick = .milliseconds(100)
        site = try await Site.open(configuration)
        group = ServiceGroup(configuration: .init(services: site.services, logger: configuration.logger))
        let group = self.group
        running = Task { try await group.run() }
        engine.hooks.addAction("reset_password_code_created") { [weak self] (code: String, _) in self?.codes.withLock { $0.append(code) } }
        engine.hooks.addFilter("reset_password_mail") { [weak self] (message: MailMessage, _) in
            self?.mails.withLock { $0.append(message.textBody) }
            return message
        }
    }

    /// Ends the services, closes the storage and deletes the folder (unless `keepingFolder`, to reopen it).
    func stop(keepingFolder: Bool = false) async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        await site.close()
        if !keepingFolder { try? FileManager.default.removeItem(at: root) }
    }

    /// Adds a user whose password is `password`.
    @discardableResult
    func addUser(email: String, login: String, password: String = "old-password-1") async throws -> User {
        let hash = try await site.hasher.hash(password, cost: 4)
        return try await site.storage.users.add(
            NewUser(login: login, email: email, displayName: "Ann Lee", nickname: "annie", firstName: "Ann", lastName: "Lee", passwordHash: hash),
            now: Date())
    }

    /// Writes settings as the admin page would.
    func set(_ changes: [String: String]) async throws {
        try await engine.settings.set(changes.mapValues { .text($0) })
    }

    /// Sends one request to the site's routes (no socket) and returns its status and body.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String = resetPath, json: [String: String]) async throws -> (status: Int, body: String) {
        let app = Application(responder: site.responder())
        let answer = Mutex<(Int, String)>((0, ""))
        try await app.test(.router) { client in
            let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            let response = try await client.execute(
                uri: path, method: method, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: data))
            answer.withLock { $0 = (Int(response.status.code), String(buffer: response.body)) }
        }
        return answer.withLock { $0 }
    }

    /// The link token of the newest reset mail.
    var lastLinkToken: String? { lastToken(after: "/_resetpassword?code=") }

    /// The cancel ("that wasn't me") token of the newest reset mail.
    var lastCancelToken: String? { lastToken(after: "/_resetpassword/cancel?code=") }

    private func lastToken(after prefix: String) -> String? {
        mails.withLock { texts in
            for text in texts.reversed() {
                guard let range = text.range(of: prefix) else { continue }
                return String(text[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
            }
            return nil
        }
    }
}
