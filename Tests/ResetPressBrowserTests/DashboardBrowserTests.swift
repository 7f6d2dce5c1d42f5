import Foundation
import Testing

/// Slow: the admin dashboard (issue 15, item 1) in headless Chromium against `resetpress serve`,
/// after real reset requests; the numbers it shows must be those of `resetpress stats --json` on
/// the same site. Writes `var/screenshots/dashboard.png` (the README's `docs/screenshots/dashboard.png` comes from there). Skip with RESETPRESS_SKIP_BROWSER_TESTS=1.
@Suite(.serialized, .enabled(if: BrowserEnvironment.shouldRun))
struct DashboardBrowserTests {
    static let adminPassword = "admin password for the dashboard"

    @Test(.timeLimit(.minutes(3)))
    func theDashboardShowsTheFiguresOfResetpressStats() async throws {
        try #require(BrowserEnvironment.isAvailable, "missing: \(BrowserEnvironment.missing) (apt-get install chromium chromium-driver python3-selenium)")
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("resetpress").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "no resetpress binary at \(binary); run swift build first")
        let site = try BrowserSite(binary: binary)
        defer { site.remove() }
        try await site.cli(["users", "add", "--login", "ann", "--email", "ann@example.org", "--first-name", "Ann", "--last-name", "Lee", "--password-stdin"],
                           input: "old-password-1\n")
        try await site.cli(["admin", "set-password", "--password-stdin"], input: Self.adminPassword + "\n")
        let server = try site.serve()
        defer { server.stop() }

        let screenshots = BrowserFlowTests.repository.appendingPathComponent("var/screenshots")
        let script = BrowserFlowTests.repository.appendingPathComponent("Tests/ResetPressBrowserTests/Scripts/dashboard_flows.py").path
        let python = try #require(BrowserEnvironment.python)
        let (status, output) = try await CommandRun.run(python, [
            script, "--base", site.baseURL, "--mail-dir", site.data.appendingPathComponent("mail").path, "--screenshots", screenshots.path,
            "--email", "ann@example.org", "--admin-password", Self.adminPassword,
            "--chromium", BrowserEnvironment.chromium ?? "", "--chromedriver", BrowserEnvironment.chromedriver ?? "",
        ], timeout: 120)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(status == 0, "dashboard script failed:\n\(output)\nserver log:\n\(server.output)")
        #expect(lines.contains("DONE"))
        for check in ["dashboard: the landing page after sign-in", "dashboard: four charts", "dashboard: outcome bars drawn",
                      "dashboard: timeline bars drawn", "dashboard: no CSP violation or script error"] {
            #expect(lines.contains("PASS \(check)"), "missing check \(check)")
        }
        let figuresLine = try #require(lines.first { $0.hasPrefix("FIGURES ") }, "no figures printed:\n\(output)")
        let parsed = try JSONSerialization.jsonObject(with: Data(figuresLine.dropFirst("FIGURES ".count).utf8))
        let shown = try #require(parsed as? [String: [String: Any]])

        for window in ["24h", "30d"] {
            let stats = try await Self.stats(site, since: window)
            let page = try #require(shown[window])
            let counts = try #require(stats["counts"] as? [String: Int])
            #expect(page["counts"] as? [String: Int] == counts, "\(window): the dashboard's counts differ from resetpress stats")
            #expect(page["queue"] as? [String: Int] == stats["queue"] as? [String: Int], "\(window): queue")
            let rate = (stats["completion_rate"] as? NSNumber).map { String(format: "%.1f %%", $0.doubleValue * 100) } ?? "–"
            #expect(page["completion_rate"] as? String == rate, "\(window): completion rate")
            #expect(counts["request"] == 2 && counts["unknown_email"] == 1 && counts["code_issued"] == 1 && counts["mail_sent"] == 1)
        }
        #expect(FileManager.default.fileExists(atPath: screenshots.appendingPathComponent("dashboard.png").path))
    }

    /// `resetpress stats --since <window> --json` on the site, parsed.
    static func stats(_ site: BrowserSite, since window: String) async throws -> [String: Any] {
        let (status, output) = try await CommandRun.run(
            site.binary, ["stats", "--since", window, "--json", "--root", site.root.path, "--data-dir", site.data.path],
            environment: site.environment, timeout: 60)
        #expect(status == 0, "resetpress stats failed: \(output)")
        let start = try #require(output.firstIndex(of: "{"), "\(output)")
        let end = try #require(output.lastIndex(of: "}"), "\(output)")
        let parsed = try JSONSerialization.jsonObject(with: Data(output[start...end].utf8))
        return try #require(parsed as? [String: Any])
    }
}
