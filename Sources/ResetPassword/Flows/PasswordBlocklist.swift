import Foundation
import Logging
import Synchronization

/// The passwords of `reset_password.password_blocklist_file`: one per line, compared ignoring case.
///
/// The file is read once into a set and read again only when its path, size or modification time
/// changes (checked with one `stat` per use). Lines are split on any line break (`\n`, `\r\n`, `\r`);
/// empty lines are skipped; nothing is trimmed, so a listed password with a leading space stays one.
/// Entries and candidates are lower-cased with Unicode's full case mapping (not the locale's), and
/// `String` equality treats canonically equivalent forms (NFC, NFD) as equal.
///
/// A file that has gone missing or cannot be read at use logs a warning (once per path) and the
/// last list read from that path stays in force; with none read yet, nothing is refused. Writes of
/// the setting are refused while the file cannot be read (see ``ResetPasswordRules``).
final class PasswordBlocklist: Sendable {
    private struct Loaded {
        let path: String
        let size: Int
        let modified: Date
        let entries: Set<String>
    }

    private let loaded = Mutex<Loaded?>(nil)
    private let warned = Mutex<String?>(nil)

    init() {}

    /// The file a setting value names: absolute, or relative to the site root.
    static func url(for path: String, root: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
    }

    /// Whether the file is a readable regular file.
    static func isReadable(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isReadableFile(atPath: url.path)
    }

    /// The entries of a blocklist text, lower-cased.
    static func entries(of text: String) -> Set<String> {
        Set(text.split(whereSeparator: \.isNewline).map { $0.lowercased() })
    }

    /// Whether `password` is listed in the file `path` names (empty: no list).
    func contains(_ password: String, path: String, root: URL, logger: Logger) -> Bool {
        guard !path.isEmpty else { return false }
        guard let entries = current(path: path, root: root, logger: logger) else { return false }
        return entries.contains(password.lowercased())
    }

    /// The entries of `path`, read again when the file changed.
    private func current(path: String, root: URL, logger: Logger) -> Set<String>? {
        let url = Self.url(for: path, root: root)
        let last = loaded.withLock { $0 }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              let size = (attributes[.size] as? NSNumber)?.intValue, let modified = attributes[.modificationDate] as? Date
        else {
            warnOnce(path, "the password blocklist file cannot be read; the last list read stays in force", logger: logger)
            return last?.path == path ? last?.entries : nil
        }
        if let last, last.path == path, last.size == size, last.modified == modified { return last.entries }
        guard let data = try? Data(contentsOf: url) else {
            warnOnce(path, "the password blocklist file cannot be read; the last list read stays in force", logger: logger)
            return last?.path == path ? last?.entries : nil
        }
        let entries = Self.entries(of: String(decoding: data, as: UTF8.self))
        loaded.withLock { $0 = Loaded(path: path, size: size, modified: modified, entries: entries) }
        warned.withLock { $0 = nil }
        logger.debug("password blocklist loaded", metadata: ["file": "\(url.path)", "entries": "\(entries.count)"])
        return entries
    }

    private func warnOnce(_ path: String, _ message: Logger.Message, logger: Logger) {
        let first = warned.withLock { warned in
            defer { warned = path }
            return warned != path
        }
        if first { logger.warning(message, metadata: ["setting": "reset_password.password_blocklist_file", "file": "\(path)"]) }
    }
}
