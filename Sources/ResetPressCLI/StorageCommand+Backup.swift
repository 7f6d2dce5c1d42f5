import ArgumentParser
import Foundation
import ResetPressSite
import ResetPressStorage

extension StorageCommand {
    /// `resetpress storage backup FILE`: a consistent copy of the SQLite database while the server serves.
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a consistent copy of the SQLite database to a new FILE, even while the server runs.",
            discussion: """
                Uses SQLite's online backup: the copy holds every transaction committed when it began. The file is one \
                self-contained database, mode 0600, synced to disk; its integrity check is printed (exit 1 unless ok). It holds \
                code hashes and sealed mail but not the install secret: keep var/secret.key too, apart from it. \
                PostgreSQL: use pg_dump (see the README).
                """)
        @OptionGroup var site: SiteOptions
        @Argument(help: "The file to write; it must not exist.") var file: String

        func run() async throws {
            let database = try StorageCommand.sqliteDatabase(site, for: "backup", postgres: "pg_dump --format=custom")
            let report: SQLiteBackup.Report
            do {
                report = try database.backup(to: file)
            } catch {
                throw CLIFailure("backup failed: \(error)")
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            print("Backup written: \(file) (\(size) bytes, mode 600, synced)")
            print("integrity_check: \(report.integrity.joined(separator: "; "))")
            print("migrations: \(report.migrations.count); install checks: \(report.installChecks.count)")
            guard report.isSound else { throw CLIFailure("the copy did not pass SQLite's integrity check; do not rely on it.") }
        }
    }

    /// `resetpress storage restore FILE`: puts a backup in place of the SQLite database.
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the SQLite database with a backup FILE, keeping the file it replaces.",
            discussion: """
                Refuses while a server uses the data folder, a copy that fails SQLite's integrity check, and a copy made by a \
                site with another install secret (copy that site's secret.key to the data folder first). The database it \
                replaces is kept beside it as resetpress.sqlite.before-restore-<time>. PostgreSQL: use pg_restore (README).
                """)
        @OptionGroup var site: SiteOptions
        @Argument(help: "The backup to restore (from `resetpress storage backup`).") var file: String

        func run() async throws {
            let location = try StorageCommand.sqlitePath(site, for: "restore", postgres: "pg_restore")
            if let pid = Site.runningServer(site) {
                throw CLIFailure("a server (pid \(pid)) uses \(site.dataURL.path): stop it, then restore.")
            }
            let report: SQLiteBackup.Report
            do {
                report = try SQLiteBackup.inspect(file)
            } catch {
                throw CLIFailure("cannot read the backup \(file): \(error)")
            }
            guard report.isSound else {
                throw CLIFailure("\(file) fails SQLite's integrity check (\(report.integrity.prefix(3).joined(separator: "; "))); nothing was replaced.")
            }
            let environment = ProcessInfo.processInfo.environment
            let secretFile = InstallSecret.file(in: site.dataURL, environment: environment)
            guard FileManager.default.fileExists(atPath: secretFile.path) else {
                throw CLIFailure("no install secret at \(secretFile.path): copy the secret.key of the site the backup came from there (mode 0600) first; its codes and mail need it.")
            }
            let secret = try InstallSecret.load(in: site.dataURL, environment: environment)
            guard report.installChecks.isEmpty || secret.checkValues.contains(where: report.installChecks.contains) else {
                throw CLIFailure("\(file) was made by a site with another install secret than \(secretFile.path): copy that site's secret.key there first; nothing was replaced.")
            }
            let kept = location + ".before-restore-" + Self.stamp()
            do {
                try SQLiteBackup.restore(copy: file, over: location, keeping: kept)
                let restored = try SQLiteDatabase(path: location)
                print("Restored \(file) to \(location); integrity_check: \(try restored.integrityCheck().joined(separator: "; "))")
            } catch {
                throw CLIFailure("restore failed: \(error)")
            }
            if FileManager.default.fileExists(atPath: kept) { print("The database it replaced is kept as \(kept).") }
        }

        /// The current time as `yyyyMMdd-HHmmss` (UTC), for the kept file's name.
        private static func stamp() -> String {
            Date().formatted(Date.VerbatimFormatStyle(
                format: "\(year: .defaultDigits)\(month: .twoDigits)\(day: .twoDigits)-\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased))\(minute: .twoDigits)\(second: .twoDigits)",
                timeZone: .gmt, calendar: Calendar(identifier: .gregorian)))
        }
    }

    /// The path of the site's SQLite database; a PostgreSQL site gets the tool to use instead.
    static func sqlitePath(_ site: SiteOptions, for action: String, postgres tool: String) throws -> String {
        let location: StorageLocation
        do {
            location = try StorageLocation.configured(root: site.rootURL, dataDirectory: site.dataURL)
        } catch {
            throw CLIFailure("settings: \(error)")
        }
        switch location {
        case .sqlite(let path): return path
        case .postgres: throw CLIFailure("storage \(action) copies a SQLite database; this site uses PostgreSQL: use \(tool) (see the README).")
        }
    }

    /// The site's SQLite database, opened beside a running server.
    static func sqliteDatabase(_ site: SiteOptions, for action: String, postgres tool: String) throws -> SQLiteDatabase {
        let path = try sqlitePath(site, for: action, postgres: tool)
        guard FileManager.default.fileExists(atPath: path) else { throw CLIFailure("no database at \(path); check --data-dir.") }
        do {
            return try SQLiteDatabase(path: path)
        } catch {
            throw CLIFailure("cannot open \(path): \(error)")
        }
    }
}
