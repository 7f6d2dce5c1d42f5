import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Copies of the site's SQLite database: a consistent backup taken while the server writes
/// (SQLite's online backup), and the checks and file moves of a restore.
///
/// A backup is one self-contained file (journal mode `delete`, no `-wal` beside it), mode 0600,
/// synced to disk with its folder before it is reported. It holds what the database holds: code
/// and link hashes, sealed mail, settings. It holds no install secret, so a restore needs the
/// `secret.key` of the site it came from.
public enum SQLiteBackup {
    /// What a copy holds, as `storage backup` and `storage restore` report it.
    public struct Report: Sendable {
        /// `PRAGMA integrity_check` of the copy: `["ok"]` when sound.
        public let integrity: [String]
        /// The install check values the copy records (none for a copy of a build before them).
        public let installChecks: [Data]
        /// The schema migrations the copy has applied.
        public let migrations: [String]

        /// Whether SQLite found the copy sound.
        public var isSound: Bool { integrity == ["ok"] }
    }

    /// Why a backup or restore did not happen.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Opens the copy at `path` and reports its integrity, install checks and migrations.
    public static func inspect(_ path: String) throws -> Report {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure(description: "\(path) does not exist") }
        var configuration = Configuration()
        configuration.readonly = true
        let copy = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? copy.close() }
        return try copy.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            let checks = try db.tableExists("install_checks") ? try Data.fetchAll(db, sql: "SELECT check_value FROM install_checks") : []
            let migrations = try db.tableExists("grdb_migrations") ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
            return Report(integrity: integrity, installChecks: checks, migrations: migrations)
        }
    }

    /// Replaces the database at `live` with the copy at `copy`. The live file, checkpointed first so
    /// it holds everything committed, is renamed to `kept`; the copy is written beside it, synced
    /// and renamed into place. The caller makes sure no process has the live file open.
    public static func restore(copy: String, over live: String, keeping kept: String) throws {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: live) {
            let current = try DatabaseQueue(path: live)
            try current.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try current.close()
            try fileManager.moveItem(atPath: live, toPath: kept)
            for suffix in ["-wal", "-shm"] { try? fileManager.removeItem(atPath: live + suffix) }
        }
        let partial = live + ".restoring"
        try? fileManager.removeItem(atPath: partial)
        try copyFile(from: copy, to: partial)
        guard rename(partial, live) == 0 else { throw Failure(description: "cannot rename \(partial) to \(live): \(String(cString: strerror(errno)))") }
        try syncFolder(of: live)
    }

    /// Copies `source` to the new file `destination` (0600) and syncs it.
    static func copyFile(from source: String, to destination: String) throws {
        try FileManager.default.copyItem(atPath: source, toPath: destination)
        guard chmod(destination, PrivateFiles.fileMode) == 0 else {
            throw Failure(description: "cannot make \(destination) private: \(String(cString: strerror(errno)))")
        }
        try sync(destination)
    }

    /// Syncs the file at `path` and the folder that holds it (so its name survives a crash too).
    static func sync(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, fsync(descriptor) == 0 else {
            if descriptor >= 0 { close(descriptor) }
            throw Failure(description: "cannot sync \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        try syncFolder(of: path)
    }

    private static func syncFolder(of path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(description: "cannot open \(folder): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw Failure(description: "cannot sync \(folder): \(String(cString: strerror(errno)))") }
    }
}

extension SQLiteDatabase {
    /// Writes a consistent copy of the database to the new file `path` with SQLite's online backup,
    /// while other connections go on writing; the copy is 0600, one file, synced, then checked.
    /// Throws when `path` exists.
    public func backup(to path: String) throws -> SQLiteBackup.Report {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, PrivateFiles.fileMode)
        guard descriptor >= 0 else {
            throw SQLiteBackup.Failure(description: "cannot create \(path): \(String(cString: strerror(errno))); give a new file name")
        }
        close(descriptor)
        let copy = try DatabaseQueue(path: path)
        try pool.backup(to: copy)
        try copy.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
        try copy.close()
        try SQLiteBackup.sync(path)
        return try SQLiteBackup.inspect(path)
    }
}
