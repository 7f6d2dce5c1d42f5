import Foundation
import ResetPressTestSupport
import Synchronization

/// A helper program started by a test (an SMTP or HTTP server), announcing itself with one `READY <port>` line.
///
/// Waiting never blocks Swift's cooperative threads: the first line is read on a thread of its own and the exit
/// is awaited through `terminationHandler`. Standard error goes to `log` so a chatty server can never fill a pipe.
/// The program's stdin stays open until ``stop()`` and carries commands (``tell(_:)``): the scripts exit at its
/// end, so they also go when the test process dies. ``stop()`` uses SIGKILL because children inherit the test process's blocked signal mask.
final class TestProcess: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The port the program said it listens on.
    let port: Int
    private let exited: Exited
    private let pid: Int32
    private let input: FileHandle

    private init(port: Int, exited: Exited, pid: Int32, input: FileHandle) {
        self.port = port
        self.exited = exited
        self.pid = pid
        self.input = input
    }

    /// Starts `/usr/bin/python3 script arguments...` and waits (up to 20 s) for its `READY <port>` line.
    static func startPython(script: URL, arguments: [String], log: URL) async throws -> TestProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path] + arguments
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw Failure(description: "cannot create \(log.path)")
        }
        let exited = Exited()
        process.terminationHandler = { _ in exited.signal() }
        let (input, output) = try withSpawnLock {
            process.standardError = try FileHandle(forWritingTo: log)
            let input = Pipe()
            process.standardInput = input
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            return (input, output)
        }
        let pid = process.processIdentifier
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            Thread.detachNewThread {
                let handle = output.fileHandleForReading
                var line = Data()
                while let byte = try? handle.read(upToCount: 1), let first = byte.first, first != 0x0A {
                    line.append(first)
                }
                continuation.resume(returning: String(decoding: line, as: UTF8.self))
                // Keep draining so the program never blocks on a full pipe.
                while let chunk = try? handle.read(upToCount: 4096), !chunk.isEmpty {}
            }
        }
        let words = line.split(separator: " ")
        guard words.count == 2, words[0] == "READY", let port = Int(words[1]) else {
            kill(pid, SIGKILL)
            let logText = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw Failure(description: "\(script.lastPathComponent) did not start: '\(line)'\n\(logText)")
        }
        return TestProcess(port: port, exited: exited, pid: pid, input: input.fileHandleForWriting)
    }

    /// Writes `line` and a newline to the program's standard input.
    func tell(_ line: String) throws {
        try input.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Closes the program's stdin, kills it and waits for the exit.
    func stop() async {
        try? input.close()
        kill(pid, SIGKILL)
        await exited.wait()
    }

    /// Signals one waiter once the process has exited.
    private final class Exited: Sendable {
        private let state = Mutex<(done: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

        func signal() {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.done = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }

        func wait() async {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state -> Bool in
                    if state.done { return true }
                    state.waiter = continuation
                    return false
                }
                if done { continuation.resume() }
            }
        }
    }
}

/// A temporary directory removed by ``remove()``.
struct TemporaryDirectory {
    let url: URL

    init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
