import Foundation
import ResetPressTestSupport

/// Runs the receiver's verification snippet from the README's "Webhooks" section (the first
/// ```` ```python ```` block there), as a receiver would paste it, with python3.
enum ReadmeVerifier {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The snippet as the README shows it.
    static func snippet() throws -> String {
        let readme = try String(contentsOf: WebhookTestSite.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let section = readme.range(of: "\n## Webhooks\n"),
              let start = readme.range(of: "```python\n", range: section.upperBound..<readme.endIndex),
              let end = readme.range(of: "\n```", range: start.upperBound..<readme.endIndex)
        else { throw Failure(description: "README.md has no ```python block in its ## Webhooks section") }
        return String(readme[start.upperBound..<end.lowerBound])
    }

    /// Whether the README's `verify(secret, header, body)` accepts `body` (bytes as received) and `header`.
    static func verify(secret: String, header: String, body: String) throws -> Bool {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("receiver.py")
        let bodyFile = folder.appendingPathComponent("body")
        try (try snippet() + """

            import sys
            ok = verify(sys.argv[1], sys.argv[2], open(sys.argv[3], "rb").read())
            sys.exit(0 if ok is True else 1)

            """).write(to: script, atomically: true, encoding: .utf8)
        try Data(body.utf8).write(to: bodyFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, secret, header, bodyFile.path]
        let errors = try withSpawnLock {
            let errors = Pipe()
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            try process.run()
            return errors
        }
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        switch process.terminationStatus {
        case 0: return true
        case 1 where errorText.isEmpty: return false
        default: throw Failure(description: "the README's snippet failed (\(process.terminationStatus)): \(errorText)")
        }
    }
}

/// Runs `body`, then `cleanup` whether `body` threw or not.
func cleaning<T>(_ cleanup: () async -> Void, _ body: () async throws -> T) async throws -> T {
    do {
        let value = try await body()
        await cleanup()
        return value
    } catch {
        await cleanup()
        throw error
    }
}
