import Foundation
import Logging
import ResetPressTestSupport
import Synchronization

/// A log handler that keeps what was logged, so tests can assert on warnings.
final class CollectedLogs: Sendable {
    private let lines = Mutex<[(Logger.Level, String, Logger.Metadata)]>([])

    var logger: Logger {
        Logger(label: "test") { _ in Handler(logs: self) }
    }

    var warnings: [String] {
        lines.withLock { $0.filter { $0.0 == .warning }.map { "\($0.1) \($0.2.map { "\($0)=\($1)" }.sorted())" } }
    }

    fileprivate func append(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
        lines.withLock { $0.append((level, message, metadata)) }
    }

    private struct Handler: LogHandler {
        let logs: CollectedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            logs.append(event.level, event.message.description, metadata.merging(event.metadata ?? [:]) { $1 })
        }
    }
}

/// A fresh temporary folder, removed when the test's scope ends.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes a file below the folder, creating parents; `executable` writes a program (mode 0755) with
    /// ``ExecutableFile``, so no concurrently started child can leave it busy.
    @discardableResult
    func write(_ relativePath: String, _ contents: String, executable: Bool = false) throws -> URL {
        let file = url.appendingPathComponent(relativePath)
        if executable { return try ExecutableFile.write(contents, to: file) }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}
