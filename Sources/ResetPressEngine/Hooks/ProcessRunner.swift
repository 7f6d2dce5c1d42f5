import Foundation
import Synchronization

/// Runs a child process with stdin, collects stdout and stderr, and enforces a time limit.
enum ProcessRunner {
    /// How a run ended.
    enum Termination: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
    }

    /// The outcome of a run.
    struct Result {
        let termination: Termination
        let stdout: Data
        let stderr: Data

        /// The first line of stderr, shortened for a log line.
        var stderrSummary: String {
            let text = String(decoding: stderr.prefix(200), as: UTF8.self)
            return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        }
    }

    /// A hook that exits without reading its stdin must not kill the server with SIGPIPE.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Where hook deadlines fire.
    private static let timerQueue = DispatchQueue(label: "resetpress.hooks.deadlines")

    /// Limit on collected output, so a runaway hook cannot exhaust memory.
    static let outputLimit = 1 << 20

    /// Starts `path`, writes `input` to its stdin, and waits for it to exit or for `timeout`.
    /// A process still running at the deadline is sent SIGKILL and reported as `.timedOut`.
    static func run(path: String, input: Data, timeout: Duration) async throws -> Result {
        _ = ignoreBrokenPipes
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr

        let finished = Finished()
        return try await withCheckedThrowingContinuation { continuation in
            finished.setContinuation(continuation)
            let outputs = OutputCollector(stdout: stdout.fileHandleForReading, stderr: stderr.fileHandleForReading)
            process.terminationHandler = { process in
                let termination: Termination = process.terminationReason == .uncaughtSignal
                    ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
                // Output is read until both pipes close; a grandchild holding them open is cut off by the deadline.
                outputs.whenDone { out, err in
                    finished.resume(with: .success(Result(termination: termination, stdout: out, stderr: err)))
                }
            }
            do {
                try process.run()
            } catch {
                finished.resume(with: .failure(ExecutableHookError.couldNotStart("\(error)")))
                return
            }
            let pid = process.processIdentifier
            // Blocking pipe I/O gets threads of its own: on Dispatch's small pool it could starve timers.
            Thread.detachNewThread {
                stdin.fileHandleForWriting.writeAndIgnoreBrokenPipe(input)
            }
            // A Dispatch timer, so the deadline holds even while the cooperative pool is busy.
            // Dispatch sources are thread-safe but not marked Sendable.
            nonisolated(unsafe) let deadline = DispatchSource.makeTimerSource(queue: timerQueue)
            deadline.schedule(deadline: .now() + .nanoseconds(Int(timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)))
            deadline.setEventHandler {
                if finished.resume(with: .success(Result(termination: .timedOut, stdout: Data(), stderr: Data()))) {
                    kill(pid, SIGKILL)
                }
            }
            deadline.resume()
            finished.onResume { deadline.cancel() }
        }
    }

    /// Resumes a continuation exactly once, whichever of exit and deadline comes first.
    private final class Finished: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Result, any Error>?
            var resumed = false
            var onResume: (@Sendable () -> Void)?
        }

        private let state = Mutex(State())

        func setContinuation(_ continuation: CheckedContinuation<Result, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        /// Runs `action` once the continuation is resumed (at once if it already was).
        func onResume(_ action: @escaping @Sendable () -> Void) {
            let runNow = state.withLock { state -> Bool in
                if state.resumed { return true }
                state.onResume = action
                return false
            }
            if runNow { action() }
        }

        /// Resumes if nobody has; true when this call did.
        @discardableResult
        func resume(with result: Swift.Result<Result, any Error>) -> Bool {
            let taken = state.withLock { state -> (CheckedContinuation<Result, any Error>, (@Sendable () -> Void)?)? in
                guard !state.resumed, let continuation = state.continuation else { return nil }
                state.resumed = true
                return (continuation, state.onResume)
            }
            guard let (continuation, action) = taken else { return false }
            continuation.resume(with: result)
            action?()
            return true
        }
    }

    /// Reads stdout and stderr on background threads until both close.
    private final class OutputCollector: Sendable {
        private let state = Mutex<(out: Data?, err: Data?, done: (@Sendable (Data, Data) -> Void)?)>((nil, nil, nil))

        init(stdout: FileHandle, stderr: FileHandle) {
            Thread.detachNewThread { [self] in
                let data = Self.read(stdout)
                self.deliver { $0.out = data }
            }
            Thread.detachNewThread { [self] in
                let data = Self.read(stderr)
                self.deliver { $0.err = data }
            }
        }

        private static func read(_ handle: FileHandle) -> Data {
            var collected = Data()
            while let chunk = try? handle.read(upToCount: 65_536), !chunk.isEmpty {
                if collected.count < ProcessRunner.outputLimit { collected.append(chunk) }
            }
            return collected
        }

        func whenDone(_ done: @escaping @Sendable (Data, Data) -> Void) {
            deliver { $0.done = done }
        }

        private func deliver(_ update: (inout (out: Data?, err: Data?, done: (@Sendable (Data, Data) -> Void)?)) -> Void) {
            let ready = state.withLock { state -> (@Sendable (Data, Data) -> Void, Data, Data)? in
                update(&state)
                guard let out = state.out, let err = state.err, let done = state.done else { return nil }
                state.done = nil
                return (done, out, err)
            }
            if let (done, out, err) = ready { done(out, err) }
        }
    }
}

private extension FileHandle {
    /// Writes all of `data` and closes; a child that exits without reading is not an error.
    func writeAndIgnoreBrokenPipe(_ data: Data) {
        try? write(contentsOf: data)
        try? close()
    }
}
