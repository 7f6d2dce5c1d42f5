import Foundation

/// A hook implemented by an executable file `hooks/<hook_name>/<NN>-<label>`.
///
/// It gets `{"hook", "value", "context"}` as JSON on stdin. As a filter it prints the new value
/// on stdout: JSON of the value's type, or raw text when the value is a string. A non-zero exit,
/// a run longer than `timeout`, output cut at ``ChildProcess/outputLimit``, empty output, or output
/// that is not a value of the right type throws `ExecutableHookError`, which the registry logs
/// before passing the value through unchanged.
public struct ExecutableHook: Sendable, Equatable {
    /// The hook the file is registered for (without the legacy prefix).
    public let hookName: String
    /// The `NN` of the file name.
    public let priority: Int
    /// The part of the file name after `NN-`.
    public let label: String
    /// The absolute path of the file.
    public let path: String
    /// How long one run may take.
    public let timeout: Duration

    public init(hookName: String, priority: Int, label: String, path: String, timeout: Duration) {
        self.hookName = HookName.normalize(hookName)
        self.priority = priority
        self.label = label
        self.path = path
        self.timeout = timeout
    }

    /// Runs the hook as a filter over `value`.
    func filter<Value: Codable & Sendable>(_ value: Value, context: HookContext) async throws -> Value {
        let output = try await run(value, context: context)
        return try Self.decode(Value.self, from: output)
    }

    /// Runs the hook as an action; its output is ignored.
    func act<Argument: Codable & Sendable>(_ argument: Argument, context: HookContext) async throws {
        _ = try await run(argument, context: context)
    }

    private func run<Value: Encodable>(_ value: Value, context: HookContext) async throws -> Data {
        let input = try JSONEncoder().encode(HookInput(hook: hookName, value: value, context: context))
        let result: ChildProcess.Outcome
        do {
            result = try await ChildProcess.run(executable: path, input: input, timeout: timeout)
        } catch {
            throw ExecutableHookError.couldNotStart("\(error)")
        }
        switch result.termination {
        case .exited(0):
            guard !result.stdoutTruncated else {
                throw ExecutableHookError.badOutput("output reached the \(ChildProcess.outputLimit)-byte limit and was cut")
            }
            return result.stdout
        case .exited(let status):
            throw ExecutableHookError.failed(status: status, stderr: result.stderrSummary)
        case .timedOut:
            throw ExecutableHookError.timedOut(timeout)
        case .signalled(let signal):
            throw ExecutableHookError.killed(signal: signal)
        }
    }

    /// Reads a filter's output: JSON of the value's type, or raw text for strings.
    static func decode<Value: Decodable>(_ type: Value.Type, from output: Data) throws -> Value {
        guard !output.isEmpty else { throw ExecutableHookError.badOutput("no output") }
        if let decoded = try? JSONDecoder().decode(Value.self, from: output) { return decoded }
        if Value.self == String.self {
            guard var text = String(data: output, encoding: .utf8) else { throw ExecutableHookError.badOutput("not UTF-8") }
            if text.hasSuffix("\r\n") { text.removeLast() } else if text.hasSuffix("\n") { text.removeLast() }
            // `String` has a single case, so this cast cannot fail.
            return text as! Value
        }
        let preview = String(decoding: output.prefix(80), as: UTF8.self)
        throw ExecutableHookError.badOutput("expected JSON of \(Value.self), got \(preview.debugDescription)")
    }

    /// The executable hooks under `directory`: one folder per hook, files `NN-label` with the
    /// executable bit; other files are ignored. A hook that `trust` refuses (another user may write
    /// it or a folder above it, up to `root`) is listed among the refused, with the reason, and never run.
    public static func discover(in directory: URL, root: URL, timeout: Duration, trust: FileTrust) -> Discovery {
        let fileManager = FileManager.default
        guard let hookFolders = try? fileManager.contentsOfDirectory(atPath: directory.path) else { return Discovery() }
        var discovery = Discovery()
        for folder in hookFolders.sorted() {
            let folderURL = directory.appendingPathComponent(folder)
            guard let files = try? fileManager.contentsOfDirectory(atPath: folderURL.path) else { continue }
            for file in files.sorted() {
                let url = folderURL.appendingPathComponent(file)
                guard let dash = file.firstIndex(of: "-"), let priority = Int(file[..<dash]),
                      fileManager.isExecutableFile(atPath: url.path)
                else { continue }
                let hook = ExecutableHook(
                    hookName: folder, priority: priority, label: String(file[file.index(after: dash)...]),
                    path: url.path, timeout: timeout)
                if let problem = trust.problem(inSite: root, at: url) {
                    discovery.refused.append(Refusal(hook: hook, reason: problem))
                } else {
                    discovery.hooks.append(hook)
                }
            }
        }
        return discovery
    }

    /// What ``discover(in:root:timeout:trust:)`` found.
    public struct Discovery: Sendable {
        /// The hooks to run, in folder and file-name order.
        public var hooks: [ExecutableHook] = []
        /// The hooks not run because another user may change them.
        public var refused: [Refusal] = []
    }

    /// A hook that is not run, and why.
    public struct Refusal: Sendable, Equatable {
        public let hook: ExecutableHook
        public let reason: String
    }
}

/// What an executable hook reads on stdin.
private struct HookInput<Value: Encodable>: Encodable {
    let hook: String
    let value: Value
    let context: HookContext
}

/// Why an executable hook was skipped.
public enum ExecutableHookError: Error, CustomStringConvertible {
    case failed(status: Int32, stderr: String)
    case timedOut(Duration)
    case killed(signal: Int32)
    case badOutput(String)
    case couldNotStart(String)

    public var description: String {
        switch self {
        case .failed(let status, let stderr): "exited with status \(status)" + (stderr.isEmpty ? "" : ": \(stderr)")
        case .timedOut(let timeout): "did not finish within \(timeout)"
        case .killed(let signal): "killed by signal \(signal)"
        case .badOutput(let why): "printed an unusable value (\(why))"
        case .couldNotStart(let why): "could not start (\(why))"
        }
    }
}
