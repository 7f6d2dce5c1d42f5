import Foundation
import ResetPressTestSupport

/// The tools the browser tests need: Debian's `chromium` and `chromium-driver`, and a Python with
/// Selenium (Debian's `python3-selenium`), all installed by `.ci/run`.
enum BrowserEnvironment {
    static let chromium = firstExecutable(["/usr/bin/chromium", "/usr/bin/chromium-browser"])
    static let chromedriver = firstExecutable(["/usr/bin/chromedriver"])
    /// The first Python that can import selenium: `$RESETPRESS_BROWSER_PYTHON`, Debian's, the repository's venv, then `python3`.
    static let python: String? = {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var candidates = ["/usr/bin/python3", repository.appendingPathComponent(".build/venv/bin/python3").path, "python3"]
        if let chosen = ProcessInfo.processInfo.environment["RESETPRESS_BROWSER_PYTHON"] { candidates.insert(chosen, at: 0) }
        return candidates.first { candidate in
            (try? CommandRun.start(candidate, ["-c", "import selenium"]).waitBlocking(timeout: 30)) == 0
        }
    }()

    /// Whether everything is installed.
    static var isAvailable: Bool { chromium != nil && chromedriver != nil && python != nil }

    /// Run the suite when the tools are there, and always in CI (where a missing tool is a failure).
    static var shouldRun: Bool {
        if ProcessInfo.processInfo.environment["RESETPRESS_SKIP_BROWSER_TESTS"] == "1" { return false }
        return isAvailable || ProcessInfo.processInfo.environment["CI"] != nil
    }

    /// What is missing, for the failure message.
    static var missing: String {
        [chromium == nil ? "chromium" : nil, chromedriver == nil ? "chromium-driver" : nil, python == nil ? "python3-selenium" : nil]
            .compactMap { $0 }.joined(separator: ", ")
    }

    private static func firstExecutable(_ paths: [String]) -> String? {
        paths.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A program run with its output collected in a file (no pipe can fill up), with a time limit.
final class CommandRun {
    let process = Process()
    private let log = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-run-\(UUID().uuidString).log")

    /// Starts `program` (a path, or a name looked up in PATH) with `arguments`; `input` is written
    /// to its standard input, which is then closed.
    static func start(_ program: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> CommandRun {
        let run = CommandRun()
        let process = run.process
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: run.log.path, contents: nil)
        let stdin = try withSpawnLock {
            let handle = try FileHandle(forWritingTo: run.log)
            process.standardOutput = handle
            process.standardError = handle
            let stdin = Pipe()
            process.standardInput = stdin
            try process.run()
            try handle.close()
            return stdin
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        return run
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: log)
    }

    /// Everything the program printed so far.
    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Waits for the end; a run past `timeout` seconds is terminated and reported as -1.
    func wait(timeout: TimeInterval) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return finish()
    }

    /// `wait(timeout:)` for the synchronous probe of the tools.
    func waitBlocking(timeout: TimeInterval) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return finish()
    }

    /// Stops the program (SIGTERM) and waits for it.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    private func finish() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        stop()
        return -1
    }

    /// Runs `program` to its end and returns its status and output.
    static func run(
        _ program: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil, timeout: TimeInterval
    ) async throws -> (status: Int32, output: String) {
        let run = try start(program, arguments, environment: environment, input: input)
        let status = try await run.wait(timeout: timeout)
        return (status, run.output)
    }
}
