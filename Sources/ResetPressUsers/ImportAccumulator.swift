/// Checks CSV records one by one as SwiftCSV hands them over, and collects rows and problems.
///
/// The first record is the header (already mapped into `columns`) and is skipped.
final class ImportAccumulator {
    /// The physical line the next record starts on.
    private(set) var nextLine = 1

    private let columns: ImportColumns
    private let expectedTotal: Int
    private let progress: UserImport.Progress?
    private let progressStep: Int
    private var nextProgressAt: Int
    private var reportedProcessed = 0
    private var processed = 0
    private var seenHeader = false
    private var rows: [ImportRow] = []
    private var problems: [ImportProblem] = []
    private var emailLines: [String: Int] = [:]
    private var loginLines: [String: Int] = [:]

    /// Prepares to check records against `columns`, reporting progress out of `expectedTotal` records.
    init(columns: ImportColumns, expectedTotal: Int, progress: UserImport.Progress?) {
        self.columns = columns
        self.expectedTotal = expectedTotal
        self.progress = progress
        progressStep = max(1, (expectedTotal + 99) / 100)
        nextProgressAt = progressStep
    }

    /// Takes the next record's fields.
    func consume(_ fields: [String]) {
        let line = nextLine
        nextLine += 1 + fields.reduce(0) { $0 + Self.lineBreaks(in: $1) }
        guard seenHeader else {
            seenHeader = true
            return
        }
        processed += 1
        if !(fields.count == 1 && fields[0].isEmpty) {
            check(fields, line: line)
        }
        if processed >= nextProgressAt || processed == expectedTotal {
            report()
            nextProgressAt = processed + progressStep
        }
    }

    /// The result once every record has been consumed.
    func finish() -> UserImportResult {
        if processed != reportedProcessed {
            report()
        }
        return UserImportResult(rows: rows, problems: problems, recordCount: processed)
    }

    private func report() {
        reportedProcessed = processed
        progress?(processed, max(expectedTotal, processed))
    }

    /// Validates one record; appends it to `rows` or its problems to `problems`.
    private func check(_ fields: [String], line: Int) {
        var messages: [String] = []
        if fields.count > columns.count {
            messages.append("\(fields.count) fields but the header has \(columns.count); quote fields that contain commas")
        }

        let email = columns.trimmed(.email, in: fields)
        if email.isEmpty {
            messages.append("missing email")
        } else if !EmailAddress.isPlausible(email) {
            messages.append("invalid email \"\(email)\"")
        } else if let first = emailLines[email.lowercased()] {
            messages.append("duplicate email \(email) (first on line \(first))")
        } else {
            emailLines[email.lowercased()] = line
        }

        let givenLogin = columns.trimmed(.login, in: fields)
        let login = givenLogin.isEmpty ? email : givenLogin
        if !login.isEmpty {
            if let first = loginLines[login.lowercased()] {
                messages.append("duplicate login \(login) (first on line \(first))")
            } else {
                loginLines[login.lowercased()] = line
            }
        }

        let givenLocale = columns.trimmed(.locale, in: fields)
        let locale = givenLocale.isEmpty ? "" : LocaleTag.normalized(givenLocale)
        if locale == nil { messages.append("locale '\(givenLocale)' is not a language tag like fr or fr-CA") }
        let password = checkedPassword(fields, messages: &messages)
        if let password, let locale, messages.isEmpty {
            let displayName = columns.trimmed(.displayName, in: fields)
            let nickname = columns.trimmed(.nickname, in: fields)
            let profile = NewUser(
                login: login, email: email, displayName: displayName.isEmpty ? login : displayName,
                nickname: nickname.isEmpty ? login : nickname, firstName: columns.trimmed(.firstName, in: fields),
                lastName: columns.trimmed(.lastName, in: fields), locale: locale)
            rows.append(ImportRow(line: line, profile: profile, password: password))
        } else {
            problems.append(contentsOf: messages.map { ImportProblem(line: line, message: $0) })
        }
    }

    /// The record's password, or `nil` after adding a message to `messages`.
    private func checkedPassword(_ fields: [String], messages: inout [String]) -> ImportPassword? {
        let plain = columns.raw(.password, in: fields)
        let hash = columns.trimmed(.passwordHash, in: fields)
        switch (plain.isEmpty, hash.isEmpty) {
        case (true, true):
            return ImportPassword.none
        case (false, false):
            messages.append("both a plain password and a password hash are set; keep one")
        case (false, true):
            if plain.utf8.count <= PasswordHasher.maxPasswordBytes { return .plain(plain) }
            messages.append("password longer than \(PasswordHasher.maxPasswordBytes) bytes")
        case (true, false):
            if PasswordHashFormat(hash: hash) != nil { return .hash(hash) }
            messages.append("unknown password hash format \"\(hash.prefix(7))…\"; "
                + "expected $wp$2y$, $2y$, $2b$, $2a$, $P$ or $H$ hashes")
        }
        return nil
    }

    /// Physical line breaks inside a field: LF, CR, and CRLF counted once.
    private static func lineBreaks(in field: String) -> Int {
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        guard field.utf8.contains(where: { $0 == lf || $0 == cr }) else { return 0 }
        var count = 0
        var afterCR = false
        for byte in field.utf8 {
            if byte == cr || (byte == lf && !afterCR) {
                count += 1
            }
            afterCR = byte == cr
        }
        return count
    }
}
