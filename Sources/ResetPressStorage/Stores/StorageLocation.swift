import Foundation
import ResetPressEngine

/// Where a site's data lives, parsed from `storage.url` or a `--from`/`--to` option.
public enum StorageLocation: Sendable, Equatable, CustomStringConvertible {
    /// A SQLite file at this path.
    case sqlite(path: String)
    /// A PostgreSQL database several nodes may share: `postgres://user:password@host:port/database`.
    case postgres(url: String)

    /// Parses `text`: empty means `<dataDirectory>/resetpress.sqlite`; `sqlite:PATH` (a relative
    /// path is taken from the working directory); `postgres://` or `postgresql://` URLs.
    /// Throws `StorageLocationError` for anything else.
    public init(_ text: String, dataDirectory: URL) throws(StorageLocationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            self = .sqlite(path: dataDirectory.appendingPathComponent(SQLiteDatabase.fileName).path)
        } else if trimmed.hasPrefix("sqlite:") {
            let path = String(trimmed.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw StorageLocationError(text: text, reason: "sqlite: needs a file path (sqlite:var/resetpress.sqlite).") }
            let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            self = .sqlite(path: URL(fileURLWithPath: path, relativeTo: cwd).standardizedFileURL.path)
        } else if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            self = .postgres(url: trimmed)
        } else {
            throw StorageLocationError(text: text, reason: "use sqlite:PATH or postgres://user:password@host:port/database.")
        }
    }

    /// The site's location: `storage.url` from the environment (`RESETPRESS_STORAGE__URL`) or
    /// `settings/*.json` under `root`, else the SQLite file under `dataDirectory`.
    public static func configured(
        root: URL, dataDirectory: URL, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> StorageLocation {
        let found = try BootstrapSetting.value(
            of: CoreSettings.storageURL, environment: environment, settingsDirectory: root.appendingPathComponent("settings"), root: root)
        return try StorageLocation(found?.value ?? "", dataDirectory: dataDirectory)
    }

    /// `sqlite` or `postgres`.
    public var backend: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        }
    }

    /// The location safe to print: the URL's password is replaced by `***`.
    public var description: String {
        switch self {
        case .sqlite(let path):
            return "sqlite:\(path)"
        case .postgres(let url):
            guard var components = URLComponents(string: url) else { return "postgres://(unparsable URL)" }
            if components.password != nil { components.password = "***" }
            return components.string ?? "postgres://(unparsable URL)"
        }
    }
}

/// A storage URL that names no known backend.
public struct StorageLocationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text given.
    public let text: String
    /// What is wrong and how to write it.
    public let reason: String

    public var description: String {
        "Unknown storage URL \"\(StorageLocationError.redact(text))\": \(reason)"
    }

    /// `text` with a URL password replaced by `***`.
    static func redact(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "(unparsable)"
    }
}
