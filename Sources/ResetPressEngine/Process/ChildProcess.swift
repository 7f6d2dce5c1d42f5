import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program with bytes on its stdin and a deadline, without blocking Swift's cooperative threads.
///
/// The exit is awaited through `Process.terminationHandler` and a continuation; stdin is written and stdout and
/// stderr are read on threads of their own; the deadline is a Dispatch timer that sends SIGKILL. The pipes are
/// made and the program started under ``SpawnLock``, so no other child inherits them and none is started while a
/// program is being written.
public enum ChildProcess {
    /// How a run ended.
    public enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
    }

    /// The outcome of a run.
    public struct Outcome: Sendable {
        public let termination: Termination
        public let stdout: Data
        public let stderr: Data
        /// Whether stdout went past ``ChildProcess/outputLimit`` and was cut there.
        public let stdoutTruncated: Bool

        /// An outcome; `stdoutTruncated` says whether `stdout` was cut at the limit.
        public init(termination: Termination, stdout: Data, stderr: Data, stdoutTruncated: Bool = false) {
            self.termination = termination
            self.stdout = stdout
            self.stderr = stderr
            self.stdoutTruncated = stdoutTruncated
        }

        /// The first line of stderr, shortened for a log line.
        public var stderrSummary: String {
            let text = String(decoding: stderr.prefix(200), as: UTF8.self)
            return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        }
    }

    /// Limit on collected output per stream, so a runaway program cannot exhaust memory.
    public static let outputLimit = 1 << 20

    /// A program that exits without reading its stdin must not kill this process with SIGPIPE.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()
    private static let timerQueue = DispatchQueue(label: "resetpress.process-deadlines")

    /// Starts `executable` with `arguments`, writes `input`, and waits for the exit or `timeout`. Throws when
    /// the program cannot be started.
    public static func run(executable: String, arguments: [String] = [], input: Data, timeout: Duration) async throws -> Outcome {
        _ = ignoreBrokenPipes
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // Foundation's pipes are not close-on-exec: made under the lock, no concurrent start can carry them past `exec`.
        let (stdin, stdout, stderr) = SpawnLock.withLock { (Pipe(), Pipe(), Pipe()) }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let once = ResumeOnce()
        return try await withCheckedThrowingContinuation { continuation in
            once.set(continuation)
            let collector = OutputCollector(stdout: stdout.fileHandleForReading, stderr: stderr.fileHandleForReading)
            process.terminationHandler = { process in
                let termination: Termination = process.terminationReason == .uncaughtSignal
                    ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
                collector.whenDone { out, err in
                    once.resume(.success(Outcome(termination: termination, stdout: out.data, stderr: err.data, stdoutTruncated: out.truncated)))
                }
            }
            do {
                try SpawnLock.withLock { try process.run() }
            } catch {
                try? stdout.fileHandleForWriting.close()
                try? stderr.fileHandleForWriting.close()
                once.resume(.failure(error))
                return
            }
            let pid = process.processIdentifier
            Thread.detachNewThread {
                try? stdin.fileHandleForWriting.write(contentsOf: input)
                try? stdin.fileHandleForWriting.close()
            }
            nonisolated(unsafe) let deadline = DispatchSource.makeTimerSource(queue: timerQueue)
            let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
            deadline.schedule(deadline: .now() + .nanoseconds(Int(nanoseconds)))
            deadline.setEventHandler {
                if once.resume(.success(Outcome(termination: .timedOut, stdout: Data(), stderr: Data()))) {
                    kill(pid, SIGKILL)
                }
            }
            deadline.resume()
            once.onResume { deadline.cancel() }
        }
    }

    /// Resumes the continuation once, whichever of exit, start failure and deadline comes first.
    private final class ResumeOnce: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Outcome, any Error>?
            var done = false
            var onResume: (@Sendable () -> Void)?
        }

        private let state = Mutex(State())

        func set(_ continuation: CheckedContinuation<Outcome, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        /// Runs `action` after the resume (at once if it already happened).
        func onResume(_ action: @escaping @Sendable () -> Void) {
            let now = state.withLock { state -> Bool in
                if state.done { return true }
                state.onResume = action
                return false
            }
            if now { action() }
        }

        /// Resumes unless already done; true when this call resumed.
        @discardableResult
        func resume(_ result: Result<Outcome, any Error>) -> Bool {
            let taken = state.withLock { state -> (CheckedContinuation<Outcome, any Error>, (@Sendable () -> Void)?)? in
                guard !state.done, let continuation = state.continuation else { return nil }
                state.done = true
                return (continuation, state.onResume)
            }
            guard let (continuation, action) = taken else { return false }
            continuation.resume(with: result)
            action?()
            return true
        }
    }

    /// Reads stdout and stderr to their ends on two threads, keeping at most ``outputLimit`` bytes of each.
    private final class OutputCollector: Sendable {
        /// What one stream gave, and whether bytes past the limit were dropped.
        typealias Collected = (data: Data, truncated: Bool)

        private struct State {
            var out: Collected?
            var err: Collected?
            var done: (@Sendable (Collected, Collected) -> Void)?
        }

        private let state = Mutex(State())

        init(stdout: FileHandle, stderr: FileHandle) {
            Thread.detachNewThread { [self] in
                let data = Self.read(stdout)
                update { $0.out = data }
            }
            Thread.detachNewThread { [self] in
                let data = Self.read(stderr)
                update { $0.err = data }
            }
        }

        func whenDone(_ done: @escaping @Sendable (Collected, Collected) -> Void) {
            update { $0.done = done }
        }

        private static func read(_ handle: FileHandle) -> Collected {
            var collected = Data()
            var truncated = false
            while let chunk = try? handle.read(upToCount: 65_536), !chunk.isEmpty {
                let room = ChildProcess.outputLimit - collected.count
                if chunk.count > room { truncated = true }
                if room > 0 { collected.append(chunk.prefix(room)) }
            }
            try? handle.close()
            return (collected, truncated)
        }

        private func update(_ change: (inout State) -> Void) {
            let ready = state.withLock { state -> (@Sendable (Collected, Collected) -> Void, Collected, Collected)? in
                change(&state)
                guard let out = state.out, let err = state.err, let done = state.done else { return nil }
                state.done = nil
                return (done, out, err)
            }
            if let (done, out, err) = ready { done(out, err) }
        }
    }
}
