import Foundation
import Testing

/// Slow: the admin's Bulk reset page (issue 15, item 2) in headless Chromium against `resetpress serve`:
/// the form, the confirmation step with the right count, the confirm, the run in the server's
/// background, a reset mail per user; afterwards the old passwords fail (`--expire-passwords` was
/// ticked) and `resetpress stats` counts the mail sent. Writes `var/screenshots/admin-bulk-reset-confirm.png`.
/// Skip with RESETPRESS_SKIP_BROWSER_TESTS=1.
@Suite(.serialized, .enabled(if: BrowserEnvironment.shouldRun))
struct BulkResetBrowserTests {
    static let adminPassword = "admin password for the bulk reset"
    static let users = [("ann", "ann@example.org"), ("bob", "bob@example.org"), ("cy", "cy@example.org")]
    static let oldPassword = "old-password-before-the-breach"

    @Test(.timeLimit(.minutes(3)))
    func theAdminConfirmsABulkResetAndEveryUserGetsMail() async throws {
        try #require(BrowserEnvironment.isAvailable, "missing: \(BrowserEnvironment.missing) (apt-get install chromium chromium-driver python3-selenium)")
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("resetpress").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "no resetpress binary at \(binary); run swift build first")
        let site = try BrowserSite(binary: binary)
        defer { site.remove() }
        for (login, email) in Self.users {
            try await site.cli(["users", "add", "--login", login, "--email", email, "--password-stdin"], input: Self.oldPassword + "\n")
        }
        try await site.cli(["admin", "set-password", "--password-stdin"], input: Self.adminPassword + "\n")
        let server = try site.serve()
        defer { server.stop() }

        let screenshots = BrowserFlowTests.repository.appendingPathComponent("var/screenshots")
        let script = BrowserFlowTests.repository.appendingPathComponent("Tests/ResetPressBrowserTests/Scripts/bulk_reset_flows.py").path
        let python = try #require(BrowserEnvironment.python)
        let (status, output) = try await CommandRun.run(python, [
            script, "--base", site.baseURL, "--mail-dir", site.data.appendingPathComponent("mail").path, "--screenshots", screenshots.path,
            "--emails", Self.users.map(\.1).joined(separator: ","), "--admin-password", Self.adminPassword,
            "--chromium", BrowserEnvironment.chromium ?? "", "--chromedriver", BrowserEnvironment.chromedriver ?? "",
        ], timeout: 150)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(status == 0, "bulk reset script failed:\n\(output)\nserver log:\n\(server.output)")
        #expect(lines.contains("DONE"))
        for check in [
            "bulk: the page from the menu", "bulk: confirmation counts the users", "bulk: confirmation says the passwords expire",
            "bulk: nothing queued before the confirm", "bulk: the run finishes", "bulk: the run queued a mail per user",
            "bulk: every user got a reset mail", "bulk: the mail queue lists each user", "bulk: no CSP violation or script error",
        ] {
            #expect(lines.contains("PASS \(check)"), "missing check \(check)")
        }
        #expect(FileManager.default.fileExists(atPath: screenshots.appendingPathComponent("admin-bulk-reset-confirm.png").path))

        for (_, email) in Self.users {
            let old = try await site.cliStatus(["users", "check-password", email, "--password-stdin"], input: Self.oldPassword + "\n")
            #expect(old == 1, "\(email)'s old password still works after the bulk reset with expired passwords")
        }
        let stats = try await DashboardBrowserTests.stats(site, since: "24h")
        let counts = try #require(stats["counts"] as? [String: Int])
        #expect(counts["code_issued"] == Self.users.count && counts["mail_sent"] == Self.users.count, "\(counts)")
    }
}
