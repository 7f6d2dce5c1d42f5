/// Why a user CSV could not be read at all (problems with single lines are ``ImportProblem``s instead).
public enum UserImportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The contents are not valid UTF-8.
    case notUTF8
    /// The file has no header line.
    case empty
    /// No header column is `email` or `user_email` (the header found is attached).
    case missingEmailColumn(header: [String])
    /// Two header columns name the same field (for example `login` and `user_login`).
    case duplicateColumn(first: String, second: String)
    /// The CSV syntax is broken from the record starting at `line` (typically a stray quote).
    case malformedCSV(line: Int, reason: String)

    /// A message that says what went wrong and what to do.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "Cannot read \(path): \(reason). Check the path and its permissions."
        case .notUTF8:
            return "The file is not UTF-8 text; save it as CSV UTF-8 and import again."
        case .empty:
            return "The file is empty; the first line must be a header such as login,email,password."
        case .missingEmailColumn(let header):
            return "The header (\(header.joined(separator: ","))) has no email or user_email column; "
                + "the file must be comma-separated with a header line that names its columns."
        case .duplicateColumn(let first, let second):
            return "Columns \"\(first)\" and \"\(second)\" name the same field; remove one of them."
        case .malformedCSV(let line, let reason):
            return "Broken CSV in the record starting on line \(line): \(reason). "
                + "Quote fields with commas, quotes or line breaks, and double quotes inside them (\"\")."
        }
    }
}
