import Foundation
import Testing

/// Slow: the real server (`resetpress serve`, built with the tests) driven by headless Chromium
/// through Python Selenium (`Scripts/browser_flows.py`). Selenium rather than raw DevTools:
/// Debian packages it with a chromedriver of the same version as its chromium, and its waits,
/// frames and form helpers keep the scenarios short. Skip with RESETPRESS_SKIP_BROWSER_TESTS=1.
@Suite(.serialized, .enabled(if: BrowserEnvironment.shouldRun))
struct BrowserFlowTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let oldPassword = "old-password-1"
    static let newPassword = "brand-new-password-42"
    static let adminPassword = "admin password for the browser"

    @Test(.timeLimit(.minutes(5)))
    func resetFormAndAdminWorkInARealBrowser() async throws {
        try #require(BrowserEnvironment.isAvailable, "missing: \(BrowserEnvironment.missing) (apt-get install chromium chromium-driver python3-selenium)")
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("resetpress").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "no resetpress binary at \(binary); run swift build first")
        let site = try BrowserSite(binary: binary)
        defer { site.remove() }

        try await site.cli(["users", "add", "--login", "ann", "--email", "ann@example.org", "--first-name", "Ann", "--last-name", "Lee", "--password-stdin"],
                           input: Self.oldPassword + "\n")
        try await site.cli(["admin", "set-password", "--password-stdin"], input: Self.adminPassword + "\n")
        let server = try site.serve()
        defer { server.stop() }

        let screenshots = Self.repository.appendingPathComponent("var/screenshots")
        let script = Self.repository.appendingPathComponent("Tests/ResetPressBrowserTests/Scripts/browser_flows.py").path
        let python = try #require(BrowserEnvironment.python)
        let (status, output) = try await CommandRun.run(python, [
            script, "--base", site.baseURL, "--mail-dir", site.data.appendingPathComponent("mail").path,
            "--screenshots", screenshots.path, "--email", "ann@example.org", "--new-password", Self.newPassword,
            "--admin-password", Self.adminPassword, "--chromium", BrowserEnvironment.chromium ?? "", "--chromedriver", BrowserEnvironment.chromedriver ?? "",
        ], timeout: 240)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(status == 0, "browser script failed:\n\(output)\nserver log:\n\(server.output)")
        #expect(lines.contains("DONE"))
        #expect(!lines.contains { $0.hasPrefix("FAIL") })
        for check in [
            "form: token removed from the address bar", "form: mismatch stops the submit", "form: change confirmed",
            "expired: used link shows the expired page", "expired: new-link form offered", "expired: a new link arrives",
            "admin: signed in", "admin: preview body follows the editor", "admin: the next reset mail uses the new body",
            "console: no CSP violation or script error", "csrf: form refused", "csrf: nothing changed",
        ] {
            #expect(lines.contains("PASS \(check)"), "missing check \(check)")
        }
        for name in ["reset-form.png", "expired-link.png", "admin-settings.png"] {
            #expect(FileManager.default.fileExists(atPath: screenshots.appendingPathComponent(name).path))
        }

        let old = try await site.cliStatus(["users", "check-password", "ann@example.org", "--password-stdin"], input: Self.oldPassword + "\n")
        let new = try await site.cliStatus(["users", "check-password", "ann@example.org", "--password-stdin"], input: Self.newPassword + "\n")
        #expect(old == 1, "the old password still works")
        #expect(new == 0, "the new password does not work")
    }
}

/// A site in a temporary folder: the repository's templates, a data directory, a free port.
struct BrowserSite {
    let binary: String
    let root: URL
    let data: URL
    let port: Int

    init(binary: String) throws {
        self.binary = binary
        root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-browser-\(UUID().uuidString)")
        data = root.appendingPathComponent("var")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("settings"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: BrowserFlowTests.repository.appendingPathComponent("templates"), to: root.appendingPathComponent("templates"))
        port = try FreePort.find()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Pinned for every command: the link base, a fast bcrypt, no per-account throttle (the scenarios ask for several links).
    var environment: [String: String] {
        [
            "RESETPRESS_SITE__URL": baseURL, "RESETPRESS_SITE__NAME": "Example Site", "RESETPRESS_USERS__PASSWORD_HASH_COST": "4",
            "RESETPRESS_RESET_PASSWORD__THROTTLE_SECONDS": "0", "RESETPRESS_MAIL__FROM": "support@example.org",
        ]
    }

    /// Runs a `resetpress` command that must succeed.
    func cli(_ arguments: [String], input: String? = nil) async throws {
        let (status, output) = try await CommandRun.run(binary, arguments + ["--root", root.path, "--data-dir", data.path], environment: environment, input: input, timeout: 60)
        guard status == 0 else { throw BrowserTestError("resetpress \(arguments.joined(separator: " ")) exited \(status): \(output)") }
    }

    /// Runs a `resetpress` command and returns its exit status.
    func cliStatus(_ arguments: [String], input: String? = nil) async throws -> Int32 {
        try await CommandRun.run(binary, arguments + ["--root", root.path, "--data-dir", data.path], environment: environment, input: input, timeout: 60).status
    }

    /// Starts `resetpress serve` on the port; the script waits for /healthz.
    func serve() throws -> CommandRun {
        try CommandRun.start(binary, ["serve", "--root", root.path, "--data-dir", data.path, "--port", String(port)], environment: environment)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}

/// A test set-up step that failed.
struct BrowserTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Asks the kernel for a free TCP port on 127.0.0.1.
enum FreePort {
    static func find() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BrowserTestError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw BrowserTestError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw BrowserTestError("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
