import ArgumentParser
import Foundation
import ResetPressPostgres
import ResetPressSite
import ResetPressStorage

/// `resetpress storage ...`: where the site's data lives, its backups, and moving it between SQLite and PostgreSQL.
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage", abstract: "Show the storage backend, back up or restore a SQLite site, or copy it between SQLite and PostgreSQL.",
        subcommands: [Status.self, Backup.self, Restore.self, Migrate.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the backend, its URL (password hidden) and the schema migrations applied.")
        @OptionGroup var site: SiteOptions

        func run() async throws {
            let (backend, location, migrations) = try await Site.readStorage(site, failure: "cannot read the storage's migrations") { storage in
                (storage.backend, storage.location, try await storage.appliedMigrations())
            }
            print("backend:    \(backend)")
            print("url:        \(backend == "sqlite" ? "sqlite:" : "")\(location)")
            print("migrations: \(migrations.isEmpty ? "none" : migrations.joined(separator: ", "))")
        }
    }
}

/// The migration's progress line on standard error: rewritten in place on a terminal, one line per table otherwise.
struct MigrationProgress: Sendable {
    /// Shows `written` of `total` rows of `table` copied.
    func show(_ table: String, _ written: Int, _ total: Int) {
        let line = "copying \(table): \(written)/\(total)"
        if Terminal.stderrIsTerminal {
            Terminal.writeError("\r\u{1B}[K" + line + (written == total ? "\n" : ""))
        } else if written == total {
            Terminal.writeError(line + "\n")
        }
    }
}
