import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import ResetPressPostgres
import ResetPressStoreTestSupport
import ResetPressTestSupport
import Testing

/// The admin's sign-in, session and wrong-password limit hold across two `resetpress serve`
/// processes on one PostgreSQL database, as behind a load balancer without sticky sessions.
@Suite(.serialized) struct AdminAcrossNodesTests {
    static let repositoryRoot = Repository.root
    static let password = "correct horse battery staple"

    @Test func aSessionStartedOnOneNodeHoldsOnTheOtherAndWrongPasswordsAreCountedOnce() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-admin-nodes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for folder in ["settings", "templates"] {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent(folder), to: root.appendingPathComponent(folder))
        }
        let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        let folders = try ["node-a", "node-b", "cli"].map { name -> URL in
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try secret.write(to: folder.appendingPathComponent("secret.key"))
            return folder
        }
        let url = try await TestPostgresServer.shared.createDatabase()
        let environment = [
            "RESETPRESS_STORAGE__URL": url, "RESETPRESS_USERS__PASSWORD_HASH_COST": "4", "RESETPRESS_ADMIN__API_PASSWORD_BEARER": "true",
        ]
        let set = try ServerProcess.command(
            ["admin", "set-password", "--password", Self.password, "--root", root.path, "--data-dir", folders[2].path], environment: environment)
        #expect(set.status == 0, "\(set.output)")
        var nodes: [ServerProcess] = []
        defer { for node in nodes { node.stop() } }
        nodes.append(try await ServerProcess(root: root, dataDirectory: folders[0], environment: environment))
        nodes.append(try await ServerProcess(root: root, dataDirectory: folders[1], environment: environment))
        let (a, b) = (nodes[0], nodes[1])
        var browser = AdminHTTPBrowser()

        // The form served by A is accepted by B, and the session it starts holds on A.
        let form = try await browser.send(a, "GET", "/admin/login")
        #expect(form.status == 200)
        let formCSRF = try #require(AdminHTTPBrowser.csrfToken(in: form.body))
        let signIn = try await browser.send(b, "POST", "/admin/login", form: ["password": Self.password, "_csrf": formCSRF])
        #expect(signIn.status == 303, "\(signIn.body)")
        #expect(signIn.headers["Location"] == "/admin/dashboard")
        let settings = try await browser.send(a, "GET", "/admin")
        #expect(settings.status == 200)
        #expect(settings.body.contains("settings-form"))
        let csrf = try #require(AdminHTTPBrowser.csrfToken(in: settings.body))
        #expect(csrf != formCSRF, "sign-in replaced the token")
        #expect(try await browser.send(a, "GET", "/admin/api/settings").status == 200)
        #expect(try await browser.send(b, "GET", "/admin/mail").status == 200)

        // Signing out on B ends the session on A.
        let signOut = try await browser.send(b, "POST", "/admin/logout", form: ["_csrf": csrf])
        #expect(signOut.status == 303)
        #expect(try await browser.send(a, "GET", "/admin").headers["Location"] == "/admin/login")
        #expect(try await browser.send(a, "GET", "/admin/api/settings").status == 401)

        // Five wrong passwords spread over A and B use up the limit of both (one 15-minute window).
        let second = Int(Date().timeIntervalSince1970) % 900
        if second > 870 { try await Task.sleep(for: .seconds(901 - second)) }
        var attacker = AdminHTTPBrowser()
        let attackForm = try await attacker.send(b, "GET", "/admin/login")
        let attackCSRF = try #require(AdminHTTPBrowser.csrfToken(in: attackForm.body))
        for guess in 0..<5 {
            let wrong = try await attacker.send(nodes[guess % 2], "POST", "/admin/login", form: ["password": "guess-\(guess)-wrong", "_csrf": attackCSRF])
            #expect(wrong.status == 401, "guess \(guess): \(wrong.body)")
        }
        for node in nodes {
            let refused = try await attacker.send(node, "POST", "/admin/login", form: ["password": Self.password, "_csrf": attackCSRF])
            #expect(refused.status == 429)
            #expect(refused.body.contains("Too many wrong passwords"))
            #expect(Int(refused.headers["Retry-After"] ?? "").map { (1...900).contains($0) } == true)
            let api = try await attacker.send(node, "GET", "/admin/api/settings", headers: ["Authorization": "Bearer \(Self.password)"])
            #expect(api.status == 429)
            #expect(api.headers["Retry-After"] != nil)
        }

        // A storage failure is answered with a 500, and the node keeps serving.
        let database = try await PostgresDatabase.open(url: url, connectTimeout: testConnectTimeout)
        _ = try await database.client.rows("ALTER TABLE admin_sessions RENAME TO admin_sessions_away")
        await database.shutdown()
        #expect(try await browser.send(a, "GET", "/admin/login").status == 500)
        #expect(try await attacker.send(b, "GET", "/admin").status == 500)
        #expect(try await a.send("GET", "/healthz").status == 200)

        for node in nodes { #expect(node.stop() == 0, "\(node.output)") }
        try await TestPostgresServer.shared.dropDatabase(url: url)
    }
}

/// A browser of the admin over real HTTP: it keeps the session cookie itself and never follows
/// redirects, so each answer is seen as the node gave it.
struct AdminHTTPBrowser {
    private static let session = URLSession(configuration: Self.configuration, delegate: RedirectRefuser(), delegateQueue: nil)
    private var cookie: String?

    private static var configuration: URLSessionConfiguration {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return configuration
    }

    /// Sends a request to `node` with the cookie and an optional urlencoded form; keeps a new
    /// cookie, and returns the status, the `Location` and `Retry-After` headers, and the body.
    mutating func send(
        _ node: ServerProcess, _ method: String, _ path: String, form: [String: String]? = nil, headers: [String: String] = [:]
    ) async throws -> (status: Int, headers: [String: String], body: String) {
        guard let url = URL(string: "http://127.0.0.1:\(node.port)\(path)") else { throw ServerProcess.ServerError.badPath(path) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let cookie { request.setValue("resetpress_admin=\(cookie)", forHTTPHeaderField: "Cookie") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let form {
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            let allowed = CharacterSet.alphanumerics
            request.httpBody = Data(form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&").utf8)
        }
        let (data, response) = try await Self.session.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for name in ["Location", "Retry-After"] { fields[name] = http?.value(forHTTPHeaderField: name) }
        if let set = http?.value(forHTTPHeaderField: "Set-Cookie"), set.hasPrefix("resetpress_admin=") {
            let value = String(set.dropFirst("resetpress_admin=".count).prefix { $0 != ";" })
            cookie = value.isEmpty ? nil : value
        }
        return (http?.statusCode ?? 0, fields, String(decoding: data, as: UTF8.self))
    }

    /// The CSRF token of a page's forms.
    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }
}

/// Answers every redirect with "do not follow".
final class RedirectRefuser: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
