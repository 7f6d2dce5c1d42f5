import Foundation
import SwiftCSV

/// Reads users from CSV: plain passwords or existing hashes, including a WordPress users export.
///
/// The first line is a header naming the columns, matched ignoring case, in any order:
/// `login` (or `user_login`), `email` (or `user_email`, required), `display_name`, `nickname`,
/// `first_name`, `last_name`, `password` (plain) and `password_hash` (or `user_pass`) holding a hash
/// in a format ``PasswordHashFormat`` recognises. Other columns are ignored.
///
/// Each line is checked on its own, and a line with problems is skipped and reported with its line
/// number (``ImportProblem``):
/// - the email must be present and plausible (``EmailAddress/isPlausible(_:)``) and not repeat an
///   earlier line's email ignoring case (every repeat is reported, the first line is kept);
/// - an empty login becomes the email; a login must not repeat an earlier line's login ignoring case;
/// - an empty display name or nickname becomes the login;
/// - `password` and `password_hash` must not both be set; a plain password is at most
///   ``PasswordHasher/maxPasswordBytes`` bytes; a hash must be in a known format;
///   neither gives ``ImportPassword/none`` (the user must reset the password);
/// - a line must not have more fields than the header (fewer are padded with empty fields).
///
/// Blank lines are skipped silently. A UTF-8 byte order mark, CRLF line endings, and quoted fields
/// with commas, doubled quotes and line breaks are handled; line numbers are physical lines, so a
/// record with a quoted line break moves the next record's number on by two. As with SwiftCSV,
/// leading whitespace of an unquoted field is dropped: quote a password that starts with a space.
public enum UserImport {
    /// Called with the number of records read so far and the expected total, at most once per 1 %
    /// of the total (and once more at the end when the total was off).
    public typealias Progress = (_ processed: Int, _ total: Int) -> Void

    /// Parses the CSV file at `url`.
    public static func parse(contentsOf url: URL, progress: Progress? = nil) throws -> UserImportResult {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw UserImportError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try parse(data: data, progress: progress)
    }

    /// Parses CSV bytes, which must be UTF-8 (with or without a byte order mark).
    public static func parse(data: Data, progress: Progress? = nil) throws -> UserImportResult {
        guard let text = String(validating: data, as: UTF8.self) else { throw UserImportError.notUTF8 }
        return try parse(csv: text, progress: progress)
    }

    /// Parses CSV text.
    public static func parse(csv text: String, progress: Progress? = nil) throws -> UserImportResult {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.unicodeScalars.dropFirst()) : text
        guard body.contains(where: { !$0.isWhitespace }) else { throw UserImportError.empty }

        let csv: EnumeratedCSV
        do {
            csv = try EnumeratedCSV(string: body, delimiter: .comma, loadColumns: false, rowLimit: 0)
        } catch {
            throw UserImportError.malformedCSV(line: 1, reason: reason(of: error))
        }
        let columns = try ImportColumns(header: csv.header)
        let total = max(0, CSVRecordCounter.count(in: body) - 1)
        let accumulator = ImportAccumulator(columns: columns, expectedTotal: total, progress: progress)
        do {
            try csv.enumerateAsArray(startAt: 0, rowLimit: nil) { accumulator.consume($0) }
        } catch {
            throw UserImportError.malformedCSV(line: accumulator.nextLine, reason: reason(of: error))
        }
        return accumulator.finish()
    }

    /// The message inside a SwiftCSV error.
    private static func reason(of error: any Error) -> String {
        switch error {
        case CSVParseError.generic(let message), CSVParseError.quotation(let message):
            return message
        default:
            return String(describing: error)
        }
    }
}
