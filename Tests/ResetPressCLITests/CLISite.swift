import ArgumentParser
import Foundation
@testable import ResetPressCLI
@testable import ResetPressStorage
import ResetPressTestSupport

/// A site for the command line in a temporary folder: the repository's settings and templates under
/// `root`, its SQLite database in `data`; removed at the end.
final class CLISite: Sendable {
    let root: URL
    let data: URL
    /// The site's database, open beside the commands (as an operator's tools would be).
    let database: SQLiteDatabase

    init() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-clitest-\(UUID().uuidString)")
        root = folder.appendingPathComponent("site")
        data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for name in ["settings", "templates"] {
            try FileManager.default.copyItem(at: Repository.root.appendingPathComponent(name), to: root.appendingPathComponent(name))
        }
        database = try SQLiteDatabase(dataDirectory: data)
    }

    deinit { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }

    /// `--root` and `--data-dir` for this site.
    var options: [String] { ["--root", root.path, "--data-dir", data.path] }

    /// Parses `arguments` (and this site's options) as `resetpress` does and runs the command in this process.
    func run(_ arguments: [String]) async throws {
        var command = try ResetPress.parseAsRoot(arguments + options)
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    }

    /// Runs the built `resetpress` binary with `arguments` (and this site's options); its status and output.
    func command(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try ServerProcess.command(arguments + options, environment: [:])
    }
}
