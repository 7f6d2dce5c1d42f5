import Foundation
import Testing

/// Slow: the admin's support desk (issue 23) in headless Chromium against `resetpress serve`, its mail over SMTP to
/// an aiosmtpd the script runs (`Scripts/support_desk_flows.py`) that refuses one address with a 550. The script
/// searches the Users page, opens each user and reads `#timeline`; every row must say what `resetpress users show
/// --json` says, the SMTP replies included. Writes `var/screenshots/admin-support-desk-user.png`.
/// Skip with RESETPRESS_SKIP_BROWSER_TESTS=1.
@Suite(.serialized, .enabled(if: BrowserEnvironment.shouldRun))
struct SupportDeskBrowserTests {
    static let adminPassword = "admin password for the support desk"
    static let users = [("ann", "ann@example.org"), ("refused", "refused@example.org"), ("cy", "cy@example.org")]

    @Test(.timeLimit(.minutes(3)))
    func eachUsersPageSaysWhatUsersShowSays() async throws {
        try #require(BrowserEnvironment.isAvailable, "missing: \(BrowserEnvironment.missing) (apt-get install chromium chromium-driver python3-selenium)")
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("resetpress").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "no resetpress binary at \(binary); run swift build first")
        let site = try BrowserSite(binary: binary)
        defer { site.remove() }
        // The throttle back on (BrowserSite turns it off), and mail over SMTP to the script's aiosmtpd.
        let smtpPort = try FreePort.find()
        let environment = site.environment.merging([
            "RESETPRESS_RESET_PASSWORD__THROTTLE_SECONDS": "60", "RESETPRESS_MAIL__TRANSPORT": "smtp", "RESETPRESS_MAIL__SMTP__HOST": "127.0.0.1",
            "RESETPRESS_MAIL__SMTP__PORT": String(smtpPort), "RESETPRESS_MAIL__SMTP__SECURITY": "none",
        ]) { $1 }
        let cli = { (arguments: [String], input: String?) async throws -> String in
            let (status, output) = try await CommandRun.run(
                binary, arguments + ["--root", site.root.path, "--data-dir", site.data.path], environment: environment, input: input, timeout: 60)
            guard status == 0 else { throw BrowserTestError("resetpress \(arguments.joined(separator: " ")) exited \(status): \(output)") }
            return output
        }
        for (login, email) in Self.users {
            _ = try await cli(["users", "add", "--login", login, "--email", email, "--password-stdin"], "old-password-1\n")
        }
        _ = try await cli(["admin", "set-password", "--password-stdin"], Self.adminPassword + "\n")
        let server = try CommandRun.start(
            binary, ["serve", "--root", site.root.path, "--data-dir", site.data.path, "--port", String(site.port)], environment: environment)
        defer { server.stop() }

        let screenshots = BrowserFlowTests.repository.appendingPathComponent("var/screenshots")
        let script = BrowserFlowTests.repository.appendingPathComponent("Tests/ResetPressBrowserTests/Scripts/support_desk_flows.py").path
        let python = try #require(BrowserEnvironment.python)
        let (status, output) = try await CommandRun.run(python, [
            script, "--base", site.baseURL, "--mail-dir", site.data.appendingPathComponent("mail").path, "--screenshots", screenshots.path,
            "--admin-password", Self.adminPassword, "--users", Self.users.map { "\($0.0):\($0.1)" }.joined(separator: ","),
            "--smtp-port", String(smtpPort), "--chromium", BrowserEnvironment.chromium ?? "", "--chromedriver", BrowserEnvironment.chromedriver ?? "",
        ], timeout: 150)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(status == 0, "support desk script failed:\n\(output)\nserver log:\n\(server.output)")
        #expect(lines.contains("DONE"))
        for check in [
            "desk: signed in", "desk: ann's timeline says what happened", "desk: the sent mail shows the SMTP server's reply",
            "desk: refused's timeline says what happened", "desk: the failed mail shows the SMTP server's refusal",
            "desk: cy's timeline says what happened", "desk: both mails show their replies", "desk: the hand-over link is shown",
            "desk: the timeline records the hand-over without the link", "desk: the link is not shown again", "desk: no CSP violation or script error",
        ] {
            #expect(lines.contains("PASS \(check)"), "missing check \(check)")
        }
        #expect(FileManager.default.fileExists(atPath: screenshots.appendingPathComponent("admin-support-desk-user.png").path))

        // Row for row, the page says what `users show --json` says (read after the hand-over, which only ann has).
        let timelineLine = try #require(lines.first { $0.hasPrefix("TIMELINE ") }, "no timeline printed:\n\(output)")
        let shown = try JSONDecoder().decode([String: [[String]]].self, from: Data(timelineLine.dropFirst("TIMELINE ".count).utf8))
        for (login, _) in Self.users {
            let json = try await cli(["users", "show", login, "--json"], nil)
            let start = try #require(json.firstIndex(of: "{"), "\(json)")
            let end = try #require(json.lastIndex(of: "}"), "\(json)")
            let timeline = try #require(try JSONSerialization.jsonObject(with: Data(json[start...end].utf8)) as? [String: Any])
            var entries = try #require(timeline["entries"] as? [[String: Any]])
            if login == "ann" {
                #expect(entries.first?["what"] as? String == "support", "the hand-over is on ann's timeline")
                entries.removeFirst()
            }
            let rows = entries.map { entry -> [String] in
                let at = (entry["at"] as? String ?? "").replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
                return [at, entry["what"] as? String ?? "", entry["outcome"] as? String ?? "", entry["client_ip"] as? String ?? "-",
                        entry["detail"] as? String ?? ""]
            }
            #expect(shown[login] == rows, "\(login): the page and users show differ")
        }
    }
}
