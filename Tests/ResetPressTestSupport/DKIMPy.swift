import Foundation

/// dkimpy from PyPI, an independent DKIM verifier, in the venv `var/venv-dkim` (made on first use, then reused).
///
/// ``verify(_:record:)`` runs `dkim.DKIM(message).verify(dnsfunc=...)` with the DNS lookup answered by the given
/// TXT record, so no network is needed; a failure dkimpy raises (a body hash mismatch) counts as not verified. The venv is built under a temporary name and renamed into place, so
/// test runs started side by side never use a half-made one.
public enum DKIMPy {
    /// The dkimpy release the tests pin.
    public static let version = "1.1.8"

    /// What dkimpy said about one message.
    public struct Verdict: Decodable, Sendable {
        /// Whether the first `DKIM-Signature` verified.
        public var ok: Bool
        /// The DNS names dkimpy looked up.
        public var lookups: [String]
        /// dkimpy's log, which says why a signature failed.
        public var log: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    static let repository = Repository.root
    static let venv = repository.appendingPathComponent("var/venv-dkim")

    private static let setup = Task { try await makeVenv() }

    /// Verifies `message` (the bytes as received) with `record` as the selector's TXT record.
    public static func verify(_ message: Data, record: String) async throws -> Verdict {
        let python = try await setup.value
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dkimpy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("message.eml")
        try message.write(to: file)
        let run = try await run(python.path, ["-c", script, file.path, record], in: folder)
        guard run.status == 0 else { throw Failure(description: "dkimpy verify exited \(run.status): \(run.errors)") }
        return try JSONDecoder().decode(Verdict.self, from: Data(run.output.utf8))
    }

    /// The venv's python, after creating the venv with dkimpy ``version`` when it is missing or different.
    private static func makeVenv() async throws -> URL {
        let python = venv.appendingPathComponent("bin/python")
        let check = ["-c", "import dkim, importlib.metadata as m; print(m.version('dkimpy'))"]
        if FileManager.default.isExecutableFile(atPath: python.path),
           let found = try? await run(python.path, check, in: repository), found.status == 0,
           found.output.trimmingCharacters(in: .whitespacesAndNewlines) == version {
            return python
        }
        let building = repository.appendingPathComponent("var/.venv-dkim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: building.deletingLastPathComponent(), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: building) }
        let create = try await run("/usr/bin/python3", ["-m", "venv", building.path], in: repository)
        guard create.status == 0 else { throw Failure(description: "python3 -m venv failed (install python3-venv): \(create.errors)") }
        let install = try await run(
            building.appendingPathComponent("bin/pip").path,
            ["install", "--quiet", "--disable-pip-version-check", "dkimpy==\(version)"], in: repository)
        guard install.status == 0 else { throw Failure(description: "pip install dkimpy==\(version) failed: \(install.errors)") }
        // Another run may have finished first; its venv is as good as ours.
        let finishedFirst = FileManager.default.isExecutableFile(atPath: python.path)
            ? (try? await run(python.path, check, in: repository))?.status == 0 : false
        if !finishedFirst {
            try? FileManager.default.removeItem(at: venv)
            try FileManager.default.moveItem(at: building, to: venv)
        }
        return python
    }

    /// Runs a program with output to files and waits for it without holding a thread.
    private static func run(_ executable: String, _ arguments: [String], in folder: URL) async throws -> (status: Int32, output: String, errors: String) {
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("dkimpy-out-\(UUID().uuidString)")
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("dkimpy-err-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: outputFile.path, contents: nil),
              FileManager.default.createFile(atPath: errorFile.path, contents: nil) else {
            throw Failure(description: "cannot create output files in \(FileManager.default.temporaryDirectory.path)")
        }
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try withSpawnLock {
                    let output = try FileHandle(forWritingTo: outputFile)
                    let errors = try FileHandle(forWritingTo: errorFile)
                    defer {
                        try? output.close()
                        try? errors.close()
                    }
                    process.standardInput = FileHandle.nullDevice
                    process.standardOutput = output
                    process.standardError = errors
                    try process.run()
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
        return (status, try String(contentsOf: outputFile, encoding: .utf8), try String(contentsOf: errorFile, encoding: .utf8))
    }

    private static let script = """
    import io, json, logging, sys, dkim
    message = open(sys.argv[1], "rb").read()
    record = sys.argv[2].encode()
    lookups = []
    def dnsfunc(name, timeout=5):
        lookups.append(name.decode() if isinstance(name, bytes) else str(name))
        return record
    log = io.StringIO()
    logger = logging.getLogger("dkimpy-test")
    logger.addHandler(logging.StreamHandler(log))
    logger.setLevel(logging.DEBUG)
    try:
        ok = dkim.DKIM(message, logger=logger).verify(dnsfunc=dnsfunc)
    except dkim.DKIMException as error:  # a body hash mismatch is raised, not returned
        ok = False
        log.write("%s: %s\\n" % (type(error).__name__, error))
    print(json.dumps({"ok": bool(ok), "lookups": lookups, "log": log.getvalue()}))
    """
}
