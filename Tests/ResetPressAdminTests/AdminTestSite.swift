import Foundation
import Testing
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPassword
import ResetPressAdmin
import ResetPressEngine
import ResetPressHTTP
import ResetPressServer
import ResetPressSite
import ResetPressStorage
import ResetPressTestSupport
import ResetPressUsers

/// A site in a temporary folder, composed by ``Site/open(_:)``, with the reset and admin plugins
/// started and an admin password set.
final class AdminTestSite: Sendable {
    static let repositoryRoot = Repository.root
    static let password = "correct horse battery"

    let root: URL
    /// The composed site.
    let site: Site

    /// Every store of the site.
    var storage: SiteStorage { site.storage }
    /// The reset-password plugin.
    var reset: ResetPasswordPlugin { site.reset }
    /// The admin plugin.
    var admin: AdminPlugin { site.admin }
    /// The engine.
    var engine: Engine { site.engine }

    /// `environment` pins settings (`RESETPRESS_...`); `clock` is the site's time.
    init(environment: [String: String] = [:], clock: @escaping @Sendable () -> Date = { Date() }) async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-admin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("settings"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent("templates"), to: root.appendingPathComponent("templates"))
        var configuration = SiteConfiguration(root: root)
        configuration.environment = ["RESETPRESS_USERS__PASSWORD_HASH_COST": "4"].merging(environment) { $1 }
        configuration.hasher = PasswordHasher(maxConcurrent: 2)
        configuration.clock = clock
        site = try await Site.open(configuration)
        try await AdminPlugin.setPassword(Self.password, engine: site.engine, hasher: site.hasher, actor: .cli, at: Date())
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// JSON request headers with `Authorization: Bearer` and a new API token of `scopes` (all by default).
    func bearer(scopes: [APITokenScope] = APITokenScope.allCases) async throws -> HTTPFields {
        let tokens = try #require(site.admin.tokens)
        let (token, _) = try await tokens.issue(name: "test", scopes: scopes, expiresAt: nil, now: Date(), by: .cli)
        return [.authorization: "Bearer \(token)", .contentType: "application/json"]
    }

    /// Runs `body` against the site's responder without a socket.
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await Application(responder: site.responder()).test(.router, body)
    }
}

/// A browser's view of the admin: its session cookie and the last CSRF token it saw.
struct AdminBrowser {
    var cookie: String?
    var csrf: String?

    /// Opens the sign-in form and keeps its cookie and token.
    mutating func openSignIn(_ client: any TestClientProtocol) async throws {
        let page = try await get(client, "/admin/login")
        if let set = page.headers[.setCookie] { cookie = Self.cookieValue(set) }
        csrf = Self.csrfToken(in: String(buffer: page.body))
    }

    /// Signs in with `password`; returns the answer.
    @discardableResult
    mutating func signIn(_ client: any TestClientProtocol, password: String = AdminTestSite.password) async throws -> TestResponse {
        try await openSignIn(client)
        let answer = try await post(client, "/admin/login", form: ["password": password, "_csrf": csrf ?? ""])
        if let set = answer.headers[.setCookie] { cookie = Self.cookieValue(set) }
        if answer.status == .seeOther { csrf = Self.csrfToken(in: String(buffer: try await get(client, "/admin").body)) }
        return answer
    }

    func get(_ client: any TestClientProtocol, _ path: String) async throws -> TestResponse {
        try await client.execute(uri: path, method: .get, headers: headers())
    }

    /// Posts a urlencoded form (the CSRF token only if the caller put it in `form`).
    func post(_ client: any TestClientProtocol, _ path: String, form: [String: String]) async throws -> TestResponse {
        var fields = headers()
        fields[.contentType] = "application/x-www-form-urlencoded"
        let body = form.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await client.execute(uri: path, method: .post, headers: fields, body: ByteBuffer(string: body))
    }

    /// Sends JSON to the admin API with the session cookie and, when `csrfHeader`, the token.
    func api(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, json: String? = nil, csrfHeader: Bool = true) async throws -> TestResponse {
        var fields = headers()
        if csrfHeader, let csrf { fields[HTTPField.Name("X-CSRF-Token")!] = csrf }
        if json != nil { fields[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: fields, body: json.map { ByteBuffer(string: $0) })
    }

    private func headers() -> HTTPFields {
        var fields = HTTPFields()
        if let cookie { fields[.cookie] = "resetpress_admin=\(cookie)" }
        return fields
    }

    static func cookieValue(_ header: String) -> String? {
        guard header.hasPrefix("resetpress_admin=") else { return nil }
        return String(header.dropFirst("resetpress_admin=".count).prefix { $0 != ";" })
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body parsed as JSON.
    var json: JSONValue { (try? JSONValue(parsing: body)) ?? .null }
}
