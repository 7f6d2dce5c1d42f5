import ArgumentParser
import Foundation
import ResetPressPostgres
import ResetPressStorage

extension StorageCommand {
    /// `resetpress storage migrate --from A --to B`: copies a site from SQLite into PostgreSQL, or back.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy settings, users, reset codes, auth codes, outbox, webhooks and job states from SQLite into an empty PostgreSQL database, or back.",
            discussion: """
                Stop the servers first. The target must be empty (its schema is created if missing; a new SQLite file is made); ids are kept.
                After copying, the row count of every table is compared; a difference exits with status 1.
                Then set storage.url (RESETPRESS_STORAGE__URL or settings/*.json) to the target. Every server needs the same var/secret.key.
                """)

        @Option(help: "The database to read: sqlite:PATH or postgres://user:password@host:port/database.") var from: String
        @Option(help: "The empty database to fill: postgres://... when --from is sqlite:, sqlite:PATH when --from is postgres://.") var to: String

        mutating func validate() throws {
            switch (Self.isSQLite(from), Self.isSQLite(to)) {
            case (true, false): guard Self.isPostgres(to) else { throw ValidationError("--to must be postgres://user:password@host:port/database.") }
            case (false, true): guard Self.isPostgres(from) else { throw ValidationError("--from must be postgres://user:password@host:port/database.") }
            case (true, true): throw ValidationError("--from and --to are both SQLite: copy a SQLite site with `storage backup`.")
            case (false, false):
                guard Self.isPostgres(from) else { throw ValidationError("--from must be sqlite:PATH (the site's var/resetpress.sqlite) or postgres://....") }
                throw ValidationError("--to must be sqlite:PATH when --from is PostgreSQL (copy between PostgreSQL databases with pg_dump).")
            }
        }

        private static func isSQLite(_ text: String) -> Bool { text.hasPrefix("sqlite:") && text.count > "sqlite:".count }
        private static func isPostgres(_ text: String) -> Bool { text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") }

        func run() async throws {
            let source = try await open(from, asTarget: false)
            let target: Opened
            do {
                target = try await open(to, asTarget: true)
            } catch {
                await source.close()
                throw error
            }
            do {
                try await copy(from: source.database, to: target.database)
                await source.close()
                await target.close()
            } catch {
                await source.close()
                await target.close()
                throw error
            }
            print("Copied into \(target.name). Now set storage.url (RESETPRESS_STORAGE__URL or settings/*.json) to it.")
            print("Admin sessions are not copied: sign in to the admin again after the switch.")
        }

        /// An open database, its name for messages, and how to close it.
        private struct Opened {
            let database: any MigratableDatabase
            let name: String
            let close: @Sendable () async -> Void
        }

        /// Opens `text`: a SQLite file that must exist as a source and must not hold a site as a
        /// target, or a PostgreSQL database.
        private func open(_ text: String, asTarget: Bool) async throws -> Opened {
            if Self.isPostgres(text) {
                do {
                    let database = try await PostgresDatabase.open(url: text)
                    return Opened(database: database, name: database.url.redacted, close: { await database.shutdown() })
                } catch {
                    throw CLIFailure("\(error) Check the URL, that the server runs and that the role may log in.")
                }
            }
            guard case .sqlite(let file) = try StorageLocation(text, dataDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) else {
                throw CLIFailure("\(text) is not a SQLite file.")
            }
            let exists = FileManager.default.fileExists(atPath: file)
            if !asTarget && !exists { throw CLIFailure("no SQLite database at \(file); give the site's var/resetpress.sqlite.") }
            let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
            if asTarget && !FileManager.default.fileExists(atPath: folder) { throw CLIFailure("no folder \(folder) for \(file); make it first.") }
            do {
                let database = try SQLiteDatabase(path: file)
                return Opened(database: database, name: "sqlite:\(file)", close: {})
            } catch {
                throw CLIFailure("cannot open \(file): \(error)")
            }
        }

        /// Copies every table and the settings, then compares counts.
        private func copy(from source: any MigratableDatabase, to target: any MigratableDatabase) async throws {
            let settings = try await source.settingsStore.loadAll()
            guard try await target.settingsStore.loadAll().isEmpty else {
                throw CLIFailure("the target database already holds settings; migrate into an empty database.")
            }
            var tables: [StorageTable] = []
            for name in StorageTable.copiedTables { tables.append(try await source.exportTable(name)) }
            let progress = MigrationProgress()
            do {
                try await target.importTables(tables) { table, written, total in progress.show(table, written, total) }
            } catch let error as StorageError {
                throw CLIFailure("\(error)")
            }
            try await target.settingsStore.apply(settings.mapValues { Optional($0) })
            progress.show("settings", settings.count, settings.count)

            var rows: [(String, Int, Int)] = [("settings", settings.count, try await target.settingsStore.loadAll().count)]
            for name in StorageTable.copiedTables {
                rows.append((name, try await source.rowCount(name), try await target.rowCount(name)))
            }
            TextTable.print(
                header: ["TABLE", source.backendName, target.backendName, "OK"],
                rows: rows.map { ["\($0.0)", "\($0.1)", "\($0.2)", $0.1 == $0.2 ? "yes" : "NO"] })
            let wrong = rows.filter { $0.1 != $0.2 }.map(\.0)
            guard wrong.isEmpty else {
                throw CLIFailure("row counts differ for \(wrong.joined(separator: ", ")); do not switch storage.url. Empty the target and migrate again.")
            }
        }
    }
}
