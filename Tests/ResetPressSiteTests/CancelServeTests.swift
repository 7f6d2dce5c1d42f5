import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ResetPressTestSupport
import Testing

/// "That wasn't me" through `resetpress serve` (issue 14, items 3 and 4): the mail read from
/// `var/mail/*.eml`, the cancel link opened by GET and HEAD (harmless), its form posted (the code
/// revoked), and the next request answered without a new mail.
@Suite struct CancelServeTests {
    static let reset = "/simple-jwt-login/v1/user/reset_password"
    static let environment = ["RESETPRESS_USERS__PASSWORD_HASH_COST": "4"]

    /// The token after `marker` in `text` (URL-safe base64 or alphanumeric).
    static func token(after marker: String, in text: String) throws -> String {
        let start = try #require(text.range(of: marker)).upperBound
        return String(text[start...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
    }

    /// The delivered mail, once there are `count` of them (the sender works in the background).
    static func mail(_ folder: SiteFolder, count: Int) async throws -> [String] {
        for _ in 0..<200 {
            let mail = try folder.deliveredMail(in: "var/mail")
            if mail.count >= count { return mail }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try folder.deliveredMail(in: "var/mail")
    }

    /// Sends `method` to `path` with a form body; returns the status and body.
    static func send(_ server: ServerProcess, _ method: String, _ path: String, form: String? = nil) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(server.port)\(path)")))
        request.httpMethod = method
        if let form {
            request.httpBody = Data(form.utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test func cancelFlowOverHTTP() async throws {
        let folder = try SiteFolder()
        let data = folder.root.appendingPathComponent("var")
        let added = try ServerProcess.command(
            ["users", "add", "--root", folder.root.path, "--data-dir", data.path, "--login", "ann", "--email", "ann@example.org",
             "--password", "old-password-1"],
            environment: Self.environment)
        #expect(added.status == 0, "\(added.output)")
        let server = try await ServerProcess(root: folder.root, dataDirectory: data, environment: Self.environment)
        defer { server.stop() }

        #expect(try await server.send("POST", Self.reset, json: ["email": "ann@example.org"]).status == 200)
        let first = try #require(try await Self.mail(folder, count: 1).first)
        let code = try Self.token(after: "Your reset code is: ", in: first)
        let cancel = try Self.token(after: "/_resetpassword/cancel?code=", in: first)
        #expect(cancel.wholeMatch(of: try Regex(#"[0-9]+\.[A-Za-z0-9_-]{43}"#)) != nil)

        for method in ["GET", "HEAD", "GET", "HEAD", "GET", "HEAD"] {
            let page = try await Self.send(server, method, "/_resetpassword/cancel?code=\(cancel)")
            #expect(page.status == 200)
            if method == "GET" { #expect(page.body.contains("value=\"\(cancel)\"")) }
        }
        let done = try await Self.send(server, "POST", "/_resetpassword/cancel", form: "code=\(cancel)")
        #expect(done.status == 200)
        #expect(done.body.contains("Nothing will change"))

        let old = try await server.send("PUT", Self.reset, json: ["email": "ann@example.org", "code": code, "new_password": "not-mine-at-all"])
        #expect(old.status == 400)
        #expect(try await server.send("POST", Self.reset, json: ["email": "ann@example.org"]).status == 200)
        // A 200 comes after its mail is committed: the outbox holds now every mail the blocked request queued (none).
        let queue = try ServerProcess.command(
            ["mail", "queue", "--root", folder.root.path, "--data-dir", data.path], environment: Self.environment)
        #expect(queue.output.contains("queued 0, sending 0, sent 1, failed 0"), "\(queue.output)")
        #expect(try folder.deliveredMail(in: "var/mail").count == 1)
        #expect(!server.output.contains(cancel))
        #expect(server.stop() == 0)
    }
}
