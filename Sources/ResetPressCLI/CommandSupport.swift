import ArgumentParser
import Foundation

/// `--password P` or `--password-stdin`, shared by the user commands.
struct PasswordOptions: ParsableArguments {
    @Option(help: "The password (visible in the process list and shell history; prefer --password-stdin).")
    var password: String?

    @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (one line; not echoed on a terminal).")
    var passwordStdin = false

    mutating func validate() throws {
        if password != nil && passwordStdin { throw ValidationError("Give --password or --password-stdin, not both.") }
    }

    /// Whether a password was asked for.
    var isGiven: Bool { password != nil || passwordStdin }

    /// The password given, or nil when neither option was used.
    func read() throws -> String? {
        if let password { return password }
        guard passwordStdin else { return nil }
        guard let line = Terminal.readSecretLine(prompt: "Password: ") else {
            throw CLIFailure("no password on standard input; pipe one line, e.g. `printf '%s\\n' \"$PW\" | resetpress ...`.")
        }
        return line
    }
}

/// ``PasswordOptions`` for a command that cannot run without a password.
struct RequiredPasswordOptions: ParsableArguments {
    @OptionGroup var given: PasswordOptions

    mutating func validate() throws {
        guard given.isGiven else { throw ValidationError("Give the password with --password-stdin (or --password).") }
    }

    /// The password given.
    func read() throws -> String {
        guard let password = try given.read() else { throw CLIFailure("no password was given.") }
        return password
    }
}

/// Small helpers for talking to the terminal.
enum Terminal {
    /// Whether standard error is a terminal (progress bars go there).
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Writes `text` to standard error as is.
    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Reads one line from standard input without its line break; on a terminal it prompts on
    /// standard error and turns echo off while reading. Nil at end of input.
    static func readSecretLine(prompt: String) -> String? {
        guard isatty(STDIN_FILENO) == 1 else { return readLine(strippingNewline: true) }
        writeError(prompt)
        var saved = termios()
        let haveSettings = tcgetattr(STDIN_FILENO, &saved) == 0
        if haveSettings {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        defer {
            if haveSettings { _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
            writeError("\n")
        }
        return readLine(strippingNewline: true)
    }
}

/// Parses repeated `KEY=VALUE` arguments.
enum KeyValueArguments {
    /// The pairs as a dictionary (a later key wins); throws a usage error for an item without `=`.
    static func parse(_ items: [String], option: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for item in items {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("\(option) '\(item)' is not KEY=VALUE.")
            }
            result[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        return result
    }
}

/// Prints rows as left-aligned columns separated by two spaces.
enum TextTable {
    /// The formatted lines, the header first.
    static func lines(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        let columns = header.count
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (index, cell) in row.enumerated() where index < columns {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }

    /// Prints the table to standard output.
    static func print(header: [String], rows: [[String]]) {
        for line in lines(header: header, rows: rows) { Swift.print(line) }
    }

    /// `text` on one line, cut to `limit` characters with an ellipsis.
    static func cell(_ text: String, limit: Int = 40) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }
}

/// What `--json` prints: indented, keys sorted and in snake_case, times in ISO 8601.
enum JSONOutput {
    /// `value` as JSON text.
    static func text(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Dates as the CLI prints and reads them.
enum CLIDate {
    /// `2030-01-01T00:00:00Z`.
    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// An absolute time (ISO 8601 with a zone; `YYYY-MM-DD[ HH:MM[:SS]]` or with `T`, taken as UTC)
    /// or a relative one (`+3600s`, `+90m`, `+12h`, `+7d`; a bare `+N` is seconds). Nil when unparsable.
    static func parse(_ text: String, now: Date) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("+") { return relative(String(trimmed.dropFirst()), now: now) }
        if let date = try? Date(trimmed, strategy: .iso8601) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(trimmed) { return date }
        for pattern in ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = pattern
            if let date = formatter.date(from: trimmed) { return date }
        }
        return nil
    }

    /// The start of the window a `--since` value names, relative to `now`: a span back from now
    /// (`90m`, `24h`, `30d`) or a past date; a usage error when it names none.
    static func windowStart(since text: String, now: Date) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let last = trimmed.last, "smhd".contains(last), let ahead = parse("+" + trimmed, now: now) {
            return now.addingTimeInterval(-ahead.timeIntervalSince(now))
        }
        guard let date = parse(trimmed, now: now), date < now else {
            throw ValidationError("--since \(text) is neither a span (90m, 24h, 30d) nor a date (2030-01-01); use one of those.")
        }
        return date
    }

    private static func relative(_ text: String, now: Date) -> Date? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var digits = Substring(text)
        var factor = 1
        if let last = text.last, let unit = units[last] {
            factor = unit
            digits = digits.dropLast()
        }
        guard let amount = Int(digits), amount >= 0, amount <= Int(Int32.max) else { return nil }
        return now.addingTimeInterval(TimeInterval(amount * factor))
    }
}
