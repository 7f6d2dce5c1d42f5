import ArgumentParser
import Foundation
import ResetPressPostgres
import ResetPressSite
import ResetPressStorage

/// `resetpress storage ...`: where the site's data lives, its backups, and moving it from SQLite to PostgreSQL.
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage", abstract: "Show the storage backend, back up or restore a SQLite site, or copy it into PostgreSQL.",
        subcommands: [Status.self, Backup.self, Restore.self, Migrate.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the backend, its URL (password hidden) and the schema migrations applied.")
        @OptionGroup var site: SiteOptions

        func run() async throws {
            let storage = try await Site.openStorage(site)
            do {
                let migrations = try await storage.appliedMigrations()
                print("backend:    \(storage.backend)")
                print("url:        \(storage.backend == "sqlite" ? "sqlite:" : "")\(storage.location)")
                print("migrations: \(migrations.isEmpty ? "none" : migrations.joined(separator: ", "))")
                await storage.close()
            } catch {
                await storage.close()
                throw CLIFailure("cannot read the storage's migrations: \(error)")
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy settings, users, reset codes, auth codes, outbox and job states from SQLite into an empty PostgreSQL database.",
            discussion: """
                Stop the server first. The target must be empty (its schema is created if missing); ids are kept.
                After copying, the row count of every table is compared; a difference exits with status 1.
                Then set storage.url (RESETPRESS_STORAGE__URL or settings/*.json) to the postgres:// URL.
                """)

        @Option(help: "The SQLite file to read: sqlite:PATH.") var from: String
        @Option(help: "The PostgreSQL database to fill: postgres://user:password@host:port/database.") var to: String

        mutating func validate() throws {
            guard from.hasPrefix("sqlite:"), from.count > "sqlite:".count else {
                throw ValidationError("--from must be sqlite:PATH (the site's var/resetpress.sqlite).")
            }
            guard to.hasPrefix("postgres://") || to.hasPrefix("postgresql://") else {
                throw ValidationError("--to must be postgres://user:password@host:port/database.")
            }
        }

        func run() async throws {
            let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let path = try StorageLocation(from, dataDirectory: cwd)
            guard case .sqlite(let file) = path, FileManager.default.fileExists(atPath: file) else {
                throw CLIFailure("no SQLite database at \(from.dropFirst("sqlite:".count)); give the site's var/resetpress.sqlite.")
            }
            let source: SQLiteDatabase
            do {
                source = try SQLiteDatabase(path: file)
            } catch {
                throw CLIFailure("cannot open \(file): \(error)")
            }
            let target: PostgresDatabase
            do {
                target = try await PostgresDatabase.open(url: to)
            } catch {
                throw CLIFailure("\(error) Check the URL, that the server runs and that the role may log in.")
            }
            do {
                try await copy(from: source, to: target)
                await target.shutdown()
            } catch {
                await target.shutdown()
                throw error
            }
        }

        /// Copies every table and the settings, then compares counts.
        private func copy(from source: SQLiteDatabase, to target: PostgresDatabase) async throws {
            let settings = try await source.settings.loadAll()
            guard try await target.settings.loadAll().isEmpty else {
                throw CLIFailure("the PostgreSQL database already holds settings; migrate into an empty database.")
            }
            var tables: [StorageTable] = []
            for name in StorageTable.copiedTables { tables.append(try source.exportTable(name)) }
            let progress = MigrationProgress()
            do {
                try await target.importTables(tables) { table, written, total in progress.show(table, written, total) }
            } catch let error as StorageError {
                throw CLIFailure("\(error)")
            }
            try await target.settings.apply(settings.mapValues { Optional($0) })
            progress.show("settings", settings.count, settings.count)

            var rows: [(String, Int, Int)] = [("settings", settings.count, try await target.settings.loadAll().count)]
            for name in StorageTable.copiedTables {
                rows.append((name, try source.rowCount(name), try await target.rowCount(name)))
            }
            TextTable.print(header: ["TABLE", "SQLITE", "POSTGRES", "OK"], rows: rows.map { ["\($0.0)", "\($0.1)", "\($0.2)", $0.1 == $0.2 ? "yes" : "NO"] })
            let wrong = rows.filter { $0.1 != $0.2 }.map(\.0)
            guard wrong.isEmpty else {
                throw CLIFailure("row counts differ for \(wrong.joined(separator: ", ")); do not switch storage.url. Drop the target database and migrate again.")
            }
            print("Copied into \(target.url.redacted). Now set storage.url (RESETPRESS_STORAGE__URL or settings/*.json) to it.")
            print("Admin sessions are not copied: sign in to the admin again after the switch.")
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
