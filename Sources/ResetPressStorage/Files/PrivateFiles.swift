import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps runtime data owner-only: data and spool folders 0700, database files 0600.
///
/// Each call creates what is missing with the private mode, and tightens what exists when group or
/// others may read it, provided this process owns it and it is no shared sticky folder (`/tmp`);
/// otherwise it leaves it alone. Every change or refusal comes back as a sentence naming the path,
/// for the caller to log as a warning.
public enum PrivateFiles {
    /// The mode of a folder holding runtime data.
    public static let directoryMode: mode_t = 0o700
    /// The mode of a file holding runtime data.
    public static let fileMode: mode_t = 0o600

    /// Creates `directory` (and missing parents) 0700, or tightens it; returns what it had to report.
    @discardableResult
    public static func secureDirectory(_ directory: URL) throws -> [String] {
        let path = directory.path
        var status = stat()
        if stat(path, &status) != 0 {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: Int(directoryMode)])
            chmod(path, directoryMode)  // the process umask may have masked the mode asked for
            return []
        }
        return tighten(path, status: status, to: directoryMode, what: "data folder")
    }

    /// Creates the SQLite file at `path` empty and 0600 when missing (so that SQLite gives its `-wal`
    /// and `-shm` files the same mode), and tightens it and those files when they exist.
    @discardableResult
    public static func secureDatabase(at path: String) -> [String] {
        var notes: [String] = []
        var status = stat()
        if stat(path, &status) != 0 {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
            if descriptor >= 0 { close(descriptor) }
        }
        for file in [path, path + "-wal", path + "-shm"] where stat(file, &status) == 0 {
            notes += tighten(file, status: status, to: fileMode, what: "database file")
        }
        return notes
    }

    /// Whether group or others have any permission on the file `status` describes.
    public static func isShared(_ status: stat) -> Bool {
        status.st_mode & 0o077 != 0
    }

    private static func tighten(_ path: String, status: stat, to mode: mode_t, what: String) -> [String] {
        guard isShared(status) else { return [] }
        let old = String(status.st_mode & 0o7777, radix: 8)
        if status.st_uid != geteuid() || status.st_mode & S_ISVTX != 0 {
            return ["\(what) \(path) is mode \(old): others may read it; it is not this user's to change, so run `chmod \(String(mode, radix: 8)) \(path)` or pick a private --data-dir."]
        }
        guard chmod(path, mode) == 0 else {
            return ["\(what) \(path) is mode \(old) and could not be made \(String(mode, radix: 8)): \(String(cString: strerror(errno)))."]
        }
        return ["\(what) \(path) was mode \(old), readable by others; it is now \(String(mode, radix: 8))."]
    }
}
