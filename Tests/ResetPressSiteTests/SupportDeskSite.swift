import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ResetPressTestSupport
import Testing

/// A served site for the support desk's acceptance test (issue 23): mail over SMTP to a loopback aiosmtpd that
/// refuses one address, the default mode and throttle, hand-over links valid one minute, and an executable hook on
/// every hook name that appends its stdin to `hook-input.jsonl` (outside the data folder) and hands the value back.
final class SupportDeskSite: Sendable {
    /// Every hook the product runs (SPEC §3's catalogue, the option actions, the event action).
    static let hookNames = [
        "allow_password_reset", "reset_password_expiration", "reset_password_email_variables", "reset_password_email_subject",
        "reset_password_custom_email_template", "reset_password_mail", "response_send_reset_password", "response_change_user_password",
        "reset_password_code_created", "reset_password_request", "password_reset", "reset_password_failed", "reset_password_cancelled",
        "resetpress_event", "update_option",
    ]

    let folder: SiteFolder
    let smtp: LoopbackSMTPServer
    let server: ServerProcess
    let environment: [String: String]
    var data: URL { folder.root.appendingPathComponent("var") }
    var hookInput: URL { folder.root.appendingPathComponent("hook-input.jsonl") }

    /// Makes the site, its users (`users`: login and email), the hooks and aiosmtpd, and serves it.
    init(users: [(String, String)], refused: String) async throws {
        folder = try SiteFolder()
        let capture = folder.root.appendingPathComponent("hook-input.jsonl")
        let hook = """
            #!/usr/bin/python3
            import json, os, sys
            data = sys.stdin.buffer.read()
            fd = os.open(\(String(reflecting: capture.path)), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.write(fd, data.replace(b"\\n", b" ") + b"\\n")
            os.close(fd)
            sys.stdout.write(json.dumps(json.loads(data)["value"]))

            """
        for name in Self.hookNames {
            try ExecutableFile.write(hook, to: folder.root.appendingPathComponent("hooks/\(name)/10-capture"))
        }
        smtp = try await LoopbackSMTPServer.start(directory: folder.root.appendingPathComponent("smtp"), refused: [refused])
        environment = [
            "RESETPRESS_USERS__PASSWORD_HASH_COST": "4", "RESETPRESS_RESET_PASSWORD__MODE": "default_email",
            "RESETPRESS_RESET_PASSWORD__HANDOVER_MINUTES": "1", "RESETPRESS_MAIL__TRANSPORT": "smtp",
            "RESETPRESS_MAIL__SMTP__HOST": "127.0.0.1", "RESETPRESS_MAIL__SMTP__PORT": String(smtp.port),
            "RESETPRESS_MAIL__SMTP__SECURITY": "none",
        ]
        for (login, email) in users {
            let added = try ServerProcess.command(
                ["users", "add", "--login", login, "--email", email, "--password", "old-password-1", "--root", folder.root.path,
                 "--data-dir", folder.root.appendingPathComponent("var").path], environment: environment)
            guard added.status == 0 else { smtp.stop(); throw LoopbackSMTPServer.Failure(description: added.output) }
        }
        do {
            // Debug logging: the scan for the link token reads more than a production log would hold.
            server = try await ServerProcess(
                executable: ServerProcess.binary,
                arguments: ["serve", "--root", folder.root.path, "--data-dir", folder.root.appendingPathComponent("var").path,
                            "--port", "0", "--log-level", "debug"],
                environment: environment)
        } catch {
            smtp.stop()
            throw error
        }
    }

    func stop() {
        server.stop()
        smtp.stop()
    }

    /// `resetpress ARGUMENTS --root R --data-dir R/var`.
    func command(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try ServerProcess.command(arguments + ["--root", folder.root.path, "--data-dir", data.path], environment: environment)
    }

    /// A command that prints JSON, its output parsed as `T`.
    func json<T: Decodable>(_ type: T.Type, _ arguments: [String]) throws -> T {
        let (status, output) = try command(arguments)
        guard status == 0, let start = output.firstIndex(where: { $0 == "{" || $0 == "[" }), let end = output.lastIndex(where: { $0 == "}" || $0 == "]" })
        else { throw LoopbackSMTPServer.Failure(description: "resetpress \(arguments.joined(separator: " ")) exited \(status): \(output)") }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(T.self, from: Data(output[start...end].utf8))
    }

    /// `users show USER --json`.
    func timeline(_ user: String) throws -> Timeline {
        try json(Timeline.self, ["users", "show", user, "--json"])
    }

    /// `stats --json`: the counts and the queue.
    func stats() throws -> Stats {
        try json(Stats.self, ["stats", "--json"])
    }

    /// Probes every 100 ms until `probe` gives a value; fails after `seconds`.
    func eventually<T>(_ what: String, seconds: Int = 20, _ probe: () throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let value = try probe() { return value }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LoopbackSMTPServer.Failure(description: "no \(what) within \(seconds) s; server log:\n\(server.output)")
    }

    /// A request to the server: a GET, or a POST of `form` as `application/x-www-form-urlencoded` (a form
    /// posted without script), with `headers`.
    func send(_ method: String, _ path: String, form: [(String, String)]? = nil, headers: [String: String] = [:]) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(server.port)\(path)")))
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let form {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            request.httpBody = Data(form.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&").utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        let (body, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: body, as: UTF8.self))
    }

    /// The files under `directory` (recursively) whose bytes hold `needle`, by path relative to it.
    static func files(under directory: URL, containing needle: String) -> [String] {
        let bytes = Data(needle.utf8)
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return walker.compactMap { item in
            guard let url = item as? URL, (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                let contents = try? Data(contentsOf: url), contents.range(of: bytes) != nil
            else { return nil }
            return url.path.replacingOccurrences(of: directory.path + "/", with: "")
        }
    }

    /// What `users show --json` prints.
    struct Timeline: Decodable {
        struct Subject: Decodable {
            var id: Int
            var login: String
            var email: String
        }

        struct Entry: Decodable {
            var what: String
            var at: String
            var outcome: String
            var clientIp: String?
            var detail: String?
        }

        var user: Subject
        var blockedUntil: String?
        var entries: [Entry]

        /// `what: outcome` per entry, newest first.
        var summary: [String] { entries.map { "\($0.what): \($0.outcome)" } }

        /// The detail of entry `index` (newest first); empty when there is none.
        func detail(_ index: Int) -> String {
            entries.indices.contains(index) ? entries[index].detail ?? "" : ""
        }
    }

    /// What `stats --json` prints, in part.
    struct Stats: Decodable {
        var counts: [String: Int]
        var queue: [String: Int]
    }
}
