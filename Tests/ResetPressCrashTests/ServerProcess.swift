import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// The real `resetpress serve` binary on a free loopback port, for tests that need a process to kill.
final class ServerProcess: Sendable {
    /// The `resetpress` binary built beside the test bundle.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("resetpress")
    }

    private let process: Process
    private let log: LogBuffer
    let port: Int

    /// Starts the server for the site at `root` and waits until `/healthz` answers.
    init(root: URL, dataDirectory: URL, environment: [String: String] = [:]) async throws {
        let process = Process()
        let log = LogBuffer()
        process.executableURL = Self.binary
        process.arguments = ["serve", "--root", root.path, "--data-dir", dataDirectory.path, "--port", "0"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        errors.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if !chunk.isEmpty { log.append(String(decoding: chunk, as: UTF8.self)) }
        }
        try process.run()
        self.process = process
        self.log = log
        var found: Int?
        for _ in 0..<300 where found == nil && process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
            found = Self.port(in: log.text)
        }
        guard let port = found else {
            process.terminate()
            throw ServerError.didNotStart(log.text)
        }
        self.port = port
        for _ in 0..<100 {
            if (try? await send("GET", "/healthz").status) == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerError.didNotStart("no /healthz answer:\n\(log.text)")
    }

    /// Everything the server logged so far.
    var output: String { log.text }

    /// Kills the process with SIGKILL (no chance to clean up) and waits until it is gone.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops the process gracefully with SIGTERM and returns its exit status.
    @discardableResult
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends a request with an optional JSON body; returns the status and body.
    func send(_ method: String, _ path: String, json: [String: String]? = nil) async throws -> (status: Int, body: String) {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw ServerError.badPath(path) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    private static func port(in log: String) -> Int? {
        guard let range = log.range(of: "port=") else { return nil }
        return Int(log[range.upperBound...].prefix { $0.isNumber })
    }

    enum ServerError: Error {
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
