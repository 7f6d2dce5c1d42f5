import Foundation
import Testing

/// Slow: the reset form's states in headless Chromium against `resetpress serve`
/// (`Scripts/form_states.py`): show/hide by mouse and keyboard, the rules checked as you type, a
/// server refusal in the error summary with the focus on it, success, the expired link, and the same
/// refusal without script, and the page and its live check in French. Screenshots land in
/// `var/screenshots/form/` (the README's come from there).
@Suite(.serialized, .enabled(if: BrowserEnvironment.shouldRun))
struct ResetFormBrowserTests {
    static let email = "margaret@example.org"
    /// Refused for this user: it contains the email address's name.
    static let refusedPassword = "Margaret-2024-spring"
    static let newPassword = "plum tree by the river"
    static let lastPassword = "set without any script"

    @Test(.timeLimit(.minutes(5)))
    func theFormStatesInARealBrowser() async throws {
        try #require(BrowserEnvironment.isAvailable, "missing: \(BrowserEnvironment.missing) (apt-get install chromium chromium-driver python3-selenium)")
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("resetpress").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "no resetpress binary at \(binary); run swift build first")
        let site = try BrowserSite(binary: binary)
        defer { site.remove() }
        try await site.cli(
            ["users", "add", "--login", "mhopkins", "--email", Self.email, "--first-name", "Margaret", "--last-name", "Hopkins", "--password-stdin"],
            input: "old-password-1\n")
        let server = try site.serve()
        defer { server.stop() }

        let screenshots = BrowserFlowTests.repository.appendingPathComponent("var/screenshots/form")
        let script = BrowserFlowTests.repository.appendingPathComponent("Tests/ResetPressBrowserTests/Scripts/form_states.py").path
        let python = try #require(BrowserEnvironment.python)
        let (status, output) = try await CommandRun.run(python, [
            script, "--base", site.baseURL, "--mail-dir", site.data.appendingPathComponent("mail").path, "--screenshots", screenshots.path,
            "--email", Self.email, "--refused-password", Self.refusedPassword, "--new-password", Self.newPassword,
            "--last-password", Self.lastPassword, "--chromium", BrowserEnvironment.chromium ?? "", "--chromedriver", BrowserEnvironment.chromedriver ?? "",
        ], timeout: 240)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(status == 0, "browser script failed:\n\(output)\nserver log:\n\(server.output)")
        #expect(lines.contains("DONE"))
        #expect(!lines.contains { $0.hasPrefix("FAIL") })
        for check in [
            "toggle: a click shows the password", "toggle: Tab reaches the button", "toggle: Space shows the password", "toggle: Enter hides it again",
            "rules: too short is marked while typing", "rules: long enough is marked met", "rules: a differing repeat is marked",
            "rules: matching fields are marked met", "summary: the focus moves to it", "summary: the server's refusal is shown",
            "summary: role alert and the focus on it", "summary: the message stands next to the field", "form: change confirmed",
            "expired: a new link is offered", "console: no CSP violation or script error", "no script: no dead show/hide buttons",
            "no script: the summary shows the server's message", "no script: the message stands next to the field",
            "no script: the summary has the focus", "no script: the change is confirmed by a page",
            "french: the page is French", "french: the script's live check is French",
        ] {
            #expect(lines.contains("PASS \(check)"), "missing check \(check)")
        }
        for name in ["form-initial.png", "form-typing.png", "form-error.png", "form-success.png", "link-expired.png", "noscript-error.png"] {
            #expect(FileManager.default.fileExists(atPath: screenshots.appendingPathComponent(name).path))
        }
        let last = try await site.cliStatus(["users", "check-password", Self.email, "--password-stdin"], input: Self.lastPassword + "\n")
        #expect(last == 0, "the password set without script does not work")
    }
}
