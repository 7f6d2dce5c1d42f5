import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPassword
import ResetPressDelivery
import ResetPressEngine
import ResetPressHTTP
import ResetPressMail
import ResetPressServer
import ResetPressSite
import ResetPressStorage
import ResetPressTestSupport
import ResetPressUsers
import Synchronization

/// A clock the tests move by hand.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))

    var now: Date { current.withLock { $0 } }

    func advance(_ seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// A whole site in a temporary folder, composed by ``Site/open(_:)`` like every host: the repository's
/// templates, the in-memory stores (the flows need no database file; the store conformance suites
/// hold the memory stores to the SQLite and PostgreSQL ones), the flows on an injected clock, and the
/// engine started. The install secret and the mail spool still live in the folder.
final class TestSite: Sendable {
    static let repositoryRoot = Repository.root
    static let namespace = "/simple-jwt-login/v1"

    let root: URL
    let dataDirectory: URL
    /// The composed site.
    let site: Site
    let clock = TestClock()
    /// Plain codes seen by `reset_password_code_created`, in order.
    let codes = Mutex<[String]>([])
    /// Contexts seen by every audit action, as "action:json".
    let audit = Mutex<[String]>([])

    /// Every store of the site.
    var storage: SiteStorage { site.storage }
    /// The reset-password plugin.
    var plugin: ResetPasswordPlugin { site.reset }
    /// The engine.
    var engine: Engine { site.engine }
    /// The site's mail delivery.
    var mail: MailDelivery { site.mail }

    /// Creates the site; `environment` pins settings (`RESETPRESS_...`), `files` become `settings/*.json`;
    /// `onDisk` puts the stores in the SQLite file under the data folder, as a served site has them
    /// (for checks that measure the real path's time).
    init(environment: [String: String] = [:], files: [String: String] = [:], onDisk: Bool = false) async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-site-\(UUID().uuidString)")
        dataDirectory = root.appendingPathComponent("var")
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: root.appendingPathComponent("settings"), withIntermediateDirectories: true)
        try fileManager.copyItem(at: Self.repositoryRoot.appendingPathComponent("templates"), to: root.appendingPathComponent("templates"))
        for (name, contents) in files {
            try contents.write(to: root.appendingPathComponent("settings/\(name)"), atomically: true, encoding: .utf8)
        }
        let clock = self.clock
        let defaults = [
            "RESETPRESS_USERS__PASSWORD_HASH_COST": "4",
            "RESETPRESS_SITE__URL": "https://accounts.example.org",
            "RESETPRESS_SITE__NAME": "Example Site",
            "RESETPRESS_MAIL__FROM": "support@example.org",
        ]
        var configuration = SiteConfiguration(root: root, dataDirectory: dataDirectory)
        configuration.storage = onDisk ? .configured : .stores(SiteStorage.memory())
        configuration.environment = defaults.merging(environment) { $1 }
        configuration.hasher = PasswordHasher(maxConcurrent: 2)
        configuration.clock = { clock.now }
        site = try await Site.open(configuration)
        let engine = site.engine
        engine.hooks.addAction("reset_password_code_created") { [weak self] (code: String, _) in self?.codes.withLock { $0.append(code) } }
        for action in ["reset_password_request", "password_reset", "reset_password_failed"] {
            engine.hooks.addAction(action) { [weak self] (argument: String, context: HookContext) in
                let json = String(decoding: try JSONEncoder().encode(context), as: UTF8.self)
                self?.audit.withLock { $0.append("\(action):\(argument):\(json)") }
            }
        }
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// The last code issued.
    var lastCode: String? { codes.withLock { $0.last } }

    /// Adds a user whose password is `password`.
    @discardableResult
    func addUser(
        email: String, login: String? = nil, firstName: String = "Ann", lastName: String = "Lee", nickname: String = "annie",
        password: String = "old-password-1"
    ) async throws -> User {
        let hash = try await plugin.passwordHasher.hash(password, cost: 4)
        return try await storage.users.add(
            NewUser(login: login ?? String(email.split(separator: "@")[0]), email: email, displayName: "\(firstName) \(lastName)",
                    nickname: nickname, firstName: firstName, lastName: lastName, passwordHash: hash),
            now: clock.now)
    }

    /// Whether `password` is now the user's password.
    func passwordMatches(_ email: String, _ password: String) async throws -> Bool {
        guard let user = try await storage.users.user(byEmail: email) else { return false }
        return await plugin.passwordHasher.verify(password, against: user.passwordHash)
    }

    /// Queued mail, oldest first, with bodies opened as the sender opens them (sealed ones with the site's key).
    func queuedMail() async throws -> [QueuedMail] {
        let sealer = try InstallSecret.load(in: dataDirectory, environment: [:]).mailSealer()
        return try await storage.outbox.list(status: nil, limit: 100).reversed().map { entry in
            switch entry.body {
            case .plain(let message): QueuedMail(entry: entry, message: message)
            case .sealed(let data): QueuedMail(entry: entry, message: try sealer.open(data))
            case nil: throw StorageError.notFound("the body of outbox entry \(entry.id) (deleted)")
            }
        }
    }

    /// Runs `body` against the site's responder without a socket.
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(responder: site.responder())
        try await app.test(.router, body)
    }

    /// Writes settings through the engine (as the admin page would).
    func set(_ changes: [String: String]) async throws {
        try await engine.settings.set(changes.mapValues { .text($0) })
    }
}

/// An outbox entry and its opened message.
@dynamicMemberLookup
struct QueuedMail {
    let entry: OutboxEntry
    let message: MailMessage

    subscript<Value>(dynamicMember keyPath: KeyPath<OutboxEntry, Value>) -> Value { entry[keyPath: keyPath] }
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body parsed as JSON.
    var json: JSONValue {
        (try? JSONValue(parsing: body)) ?? .null
    }

    /// `data.errorCode` of an error envelope.
    var errorCode: Int? {
        json["data"]?["errorCode"]?.numberValue.map { Int($0) }
    }

    /// `data.message` of an envelope.
    var message: String? {
        json["data"]?["message"]?.stringValue
    }
}

extension TestClientProtocol {
    /// Sends a JSON body (labelled as JSON unless `contentType` says otherwise).
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ path: String, json: [String: String]? = nil, body: String? = nil,
        contentType: String = "application/json", headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        var buffer: ByteBuffer?
        if let json {
            let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            buffer = ByteBuffer(bytes: data)
            headers[.contentType] = contentType
        } else if let body {
            buffer = ByteBuffer(string: body)
            headers[.contentType] = contentType
        }
        return try await execute(uri: path, method: method, headers: headers, body: buffer)
    }
}
