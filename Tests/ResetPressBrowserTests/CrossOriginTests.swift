import Foundation
import Testing

/// Slow: the SJL docs' JavaScript (`withCredentials = true`) in headless Chromium, served from a page on
/// another loopback origin than `resetpress serve` (`Scripts/cors_flows.py`): with that origin in
/// `http.cors_origins` it requests a code and changes the password with the code from the delivered mail;
/// from an unlisted origin the browser refuses the call and nothing reaches the server.
@Suite(.serialized, .enabled(if: BrowserEnvironment.shouldRun))
struct CrossOriginTests {
    static let oldPassword = "old-password-1"
    static let newPassword = "cross-origin-password-7"

    @Test(.timeLimit(.minutes(5)))
    func docsJavaScriptWorksFromAListedOriginOnly() async throws {
        try #require(BrowserEnvironment.isAvailable, "missing: \(BrowserEnvironment.missing) (apt-get install chromium chromium-driver python3-selenium)")
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("resetpress").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "no resetpress binary at \(binary); run swift build first")
        let site = try BrowserSite(binary: binary)
        defer { site.remove() }
        let listedPort = try FreePort.find()
        let unlistedPort = try FreePort.find()

        try await site.cli(["users", "add", "--login", "bob", "--email", "bob@example.org", "--password-stdin"], input: Self.oldPassword + "\n")
        try await site.cli(["settings", "set", "http.cors_origins", "http://127.0.0.1:\(listedPort)"])
        let server = try site.serve()
        defer { server.stop() }

        let script = BrowserFlowTests.repository.appendingPathComponent("Tests/ResetPressBrowserTests/Scripts/cors_flows.py").path
        let python = try #require(BrowserEnvironment.python)
        let (status, output) = try await CommandRun.run(python, [
            script, "--base", site.baseURL, "--listed-port", String(listedPort), "--unlisted-port", String(unlistedPort),
            "--mail-dir", site.data.appendingPathComponent("mail").path, "--email", "bob@example.org", "--new-password", Self.newPassword,
            "--chromium", BrowserEnvironment.chromium ?? "", "--chromedriver", BrowserEnvironment.chromedriver ?? "",
        ], timeout: 180)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(status == 0, "browser script failed:\n\(output)\nserver log:\n\(server.output)")
        #expect(lines.contains("DONE"))
        for check in [
            "listed: request sent", "listed: code delivered", "listed: password changed", "listed: preflight allows credentials",
            "unlisted: the browser refuses the call", "unlisted: blocked by CORS policy", "unlisted: no CORS headers for its preflight",
            "unlisted: no request reached the server (no new reset mail)",
        ] {
            #expect(lines.contains("PASS \(check)"), "missing check \(check)")
        }

        let new = try await site.cliStatus(["users", "check-password", "bob@example.org", "--password-stdin"], input: Self.newPassword + "\n")
        #expect(new == 0, "the new password does not work")
    }
}
