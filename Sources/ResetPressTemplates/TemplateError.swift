import Foundation

/// Why a template file could not be loaded.
public enum TemplateError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// No file exists at the path.
    case fileNotFound(String)
    /// The file's bytes are not valid UTF-8.
    case notUTF8(String)
    /// The file is larger than the cache accepts (limit in bytes).
    case tooLarge(String, limit: Int)
    /// The path exists but could not be read (a directory, no permission, an I/O error).
    case unreadable(String, reason: String)

    /// The path the error is about.
    public var path: String {
        switch self {
        case .fileNotFound(let path), .notUTF8(let path), .tooLarge(let path, _), .unreadable(let path, _):
            path
        }
    }

    /// A message that names the file and the fix.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            "Template file not found: \(path). Create it or fix the template name in the settings."
        case .notUTF8(let path):
            "Template file is not valid UTF-8: \(path). Save it with UTF-8 encoding."
        case .tooLarge(let path, let limit):
            "Template file is larger than \(limit) bytes: \(path). Shorten it."
        case .unreadable(let path, let reason):
            "Template file cannot be read: \(path) (\(reason)). Check that it is a regular, readable file."
        }
    }

    /// The same text as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}
