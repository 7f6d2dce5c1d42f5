import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// The real `resetpress serve` binary on a free loopback port: a process to kill, or one node of a
/// cluster.
public final class ServerProcess: Sendable {
    /// The `resetpress` binary built beside the test bundle.
    public static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("resetpress")
    }

    /// Another program built beside the test bundle (`ResetPressExampleHost`).
    public static func program(named name: String) -> URL {
        binary.deletingLastPathComponent().appendingPathComponent(name)
    }

    private let process: Process
    private let log: LogBuffer
    /// The port the server listens on.
    public let port: Int

    /// Starts `resetpress serve` for the site at `root` and waits until `/healthz` answers.
    public convenience init(root: URL, dataDirectory: URL, environment: [String: String] = [:]) async throws {
        try await self.init(
            executable: Self.binary, arguments: ["serve", "--root", root.path, "--data-dir", dataDirectory.path, "--port", "0"],
            environment: environment)
    }

    /// Starts another server program built beside the test bundle (the example host), which logs
    /// `port=N` on stderr, in `workingDirectory`; waits until `readyPath` answers 200.
    public init(
        executable: URL, arguments: [String], workingDirectory: URL? = nil, environment: [String: String] = [:],
        readyPath: String = "/healthz"
    ) async throws {
        let process = Process()
        let log = LogBuffer()
        process.executableURL = executable
        process.arguments = arguments
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = try withSpawnLock {
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return errors
        }
        errors.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if !chunk.isEmpty { log.append(String(decoding: chunk, as: UTF8.self)) }
        }
        self.process = process
        self.log = log
        var found: Int?
        for _ in 0..<400 where found == nil && process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
            found = Self.port(in: log.text)
        }
        guard let port = found else {
            if process.isRunning { process.terminate() }
            throw ServerError.didNotStart(log.text)
        }
        self.port = port
        for _ in 0..<100 {
            if (try? await send("GET", readyPath).status) == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw ServerError.didNotStart("no /healthz answer:\n\(log.text)")
    }

    /// Everything the server logged so far.
    public var output: String { log.text }

    /// Kills the process with SIGKILL (no chance to clean up) and waits until it is gone.
    public func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops the process gracefully with SIGTERM and returns its exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends a request with an optional JSON body and extra headers; returns the status and body.
    public func send(_ method: String, _ path: String, json: [String: String]? = nil, headers: [String: String] = [:]) async throws -> (status: Int, body: String) {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw ServerError.badPath(path) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Runs the `resetpress` command line with `arguments` and waits; returns its status and output.
    public static func command(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = try withSpawnLock {
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            return output
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private static func port(in log: String) -> Int? {
        guard let range = log.range(of: "port=") else { return nil }
        return Int(log[range.upperBound...].prefix { $0.isNumber })
    }

    /// Why a server could not be used.
    public enum ServerError: Error {
        case didNotStart(String)
        case badPath(String)
    }
}

/// Text appended by the pipe's reader thread and read by the test.
final class LogBuffer: Sendable {
    private let storage = Mutex("")

    var text: String { storage.withLock { $0 } }

    func append(_ chunk: String) {
        storage.withLock { $0 += chunk }
    }
}
