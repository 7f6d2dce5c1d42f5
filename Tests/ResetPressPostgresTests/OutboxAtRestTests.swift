import Foundation
import PostgresNIO
import ResetPassword
import ResetPressDelivery
import ResetPressEngine
import ResetPressMail
@testable import ResetPressPostgres
import ResetPressSite
import ResetPressStorage
import ResetPressStoreTestSupport
import ResetPressTestSupport
import ResetPressUsers
import Synchronization
import Testing

/// No live secret at rest (issue 12): a `default_email` request leaves neither its code nor its
/// link token in the database, before delivery (the body is sealed) or after it (deleted).
@Suite struct OutboxAtRestTests {
    static let repositoryRoot = Repository.root
    static let linkMarker = "https://accounts.example.org/_resetpassword?code="

    /// Not on memory, which keeps nothing at rest.
    @Test(arguments: Backend.sqlBackends)
    func neitherTheCodeNorTheLinkTokenIsStoredInClear(_ backend: Backend) async throws {
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-at-rest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: site) }
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent("templates"), to: site.appendingPathComponent("templates"))
        let data = site.appendingPathComponent("var")
        switch backend {
        case .sqlite:
            let database = try SQLiteDatabase(dataDirectory: data)
            try await Self.requestAndDeliver(storage: SiteStorage(sqlite: database), root: site, dataDirectory: data) {
                try ["", "-wal", "-shm"].map { suffix in
                    let path = database.path + suffix
                    return FileManager.default.fileExists(atPath: path) ? try Data(contentsOf: URL(fileURLWithPath: path)) : Data()
                }.reduce(Data(), +)
            }
        case .postgres:
            try await withPostgres { nodes in
                let client = nodes[0].client
                try await Self.requestAndDeliver(storage: SiteStorage(postgres: nodes[0]), root: site, dataDirectory: data) {
                    var text = ""
                    for table in ["outbox", "reset_codes", "users"] {
                        for row in try await client.rows(PostgresQuery(unsafeSQL: "SELECT t::text FROM \(table) t")) {
                            text += try row.decode(String.self) + "\n"
                        }
                    }
                    return Data(text.utf8)
                }
            }
        case .memory:
            Issue.record("memory stores keep nothing at rest")
        }
    }

    /// Requests a code for a user through the reset flow, scans what `stored` returns, lets the
    /// sender deliver the mail to `.eml` files, and scans again.
    static func requestAndDeliver(
        storage: SiteStorage, root: URL, dataDirectory: URL, stored: () async throws -> Data
    ) async throws {
        var configuration = SiteConfiguration(root: root, dataDirectory: dataDirectory)
        configuration.storage = .stores(storage)
        configuration.environment = ["RESETPRESS_SITE__URL": "https://accounts.example.org", "RESETPRESS_MAIL__FROM": "support@example.org"]
        configuration.hasher = PasswordHasher(maxConcurrent: 1)
        let site = try await Site.open(configuration)
        let engine = site.engine
        defer { engine.stop() }
        #expect(engine.settings[ResetPasswordSettings.mode] == .defaultEmail)
        let codes = Mutex<[String]>([])
        engine.hooks.addAction("reset_password_code_created") { (code: String, _) in codes.withLock { $0.append(code) } }
        _ = try await storage.users.add(NewUser(login: "ann", email: "ann@example.org", passwordHash: "$2b$04$unused"), now: Date())

        _ = try await site.reset.service.requestReset(
            parameters: ["email": "ann@example.org"], clientIP: "127.0.0.1", context: HookContext(site: "https://accounts.example.org"),
            settings: site.engine.settings.snapshot)
        let code = try #require(codes.withLock { $0.first })
        let entry = try #require(try await storage.outbox.list(status: .queued, limit: 10).first)
        let opened: MailMessage
        switch entry.body {
        case .sealed(let sealed): opened = try InstallSecret.load(in: dataDirectory, environment: [:]).mailSealer().open(sealed)
        case .plain(let message):
            Issue.record("the reset mail is stored unsealed")
            opened = message
        case nil:
            Issue.record("the queued reset mail has no body")
            return
        }
        let token = try #require(linkToken(in: opened.textBody))
        #expect(opened.textBody.contains(code))

        let before = try await stored()
        #expect(before.range(of: Data("ann@example.org".utf8)) != nil, "the scan must see what is stored in clear")
        #expect(before.range(of: Data(code.utf8)) == nil, "the code is stored in clear before delivery")
        #expect(before.range(of: Data(token.utf8)) == nil, "the link token is stored in clear before delivery")

        #expect(try await site.mail.sender.drain().sent == 1)
        let mail = try deliveredMail(in: dataDirectory.appendingPathComponent("mail"))
        #expect(mail.contains(code), "the delivered mail carries the code")
        #expect(linkToken(in: mail) == token, "the delivered mail carries the link")
        #expect(try await storage.outbox.list(status: .sent, limit: 10).first?.body == nil)

        let after = try await stored()
        #expect(after.range(of: Data("ann@example.org".utf8)) != nil)
        #expect(after.range(of: Data(code.utf8)) == nil, "the code is stored in clear after delivery")
        #expect(after.range(of: Data(token.utf8)) == nil, "the link token is stored in clear after delivery")
    }

    /// The token after the reset link in `text`.
    static func linkToken(in text: String) -> String? {
        guard let start = text.range(of: linkMarker)?.upperBound else { return nil }
        return String(text[start...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
    }

    /// The one `.eml` in `folder`, its quoted-printable soft breaks and `=3D` undone.
    static func deliveredMail(in folder: URL) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }
        let name = try #require(names.count == 1 ? names.first : nil, "expected one .eml, found \(names)")
        let raw = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        return raw.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=3D", with: "=")
    }
}
