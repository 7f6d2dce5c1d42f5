import Foundation

/// The outbox's `recipients` column: a JSON array of strings, written and read by hand in the compact
/// form every row uses (`["a@example.com"]`), through Foundation's coders for anything else.
///
/// A list with no `"`, `\` or control character needs no escape, so its JSON is the strings between
/// `["`, `","` and `"]`; read back, text without a backslash cannot hide an escaped quote, so every
/// `","` is a separator, and a quote anywhere else means another layout, left to Foundation.
/// Foundation's coders cost more than the rest of a mail's row.
enum RecipientsColumn {
    /// The JSON text of `recipients`.
    static func text(of recipients: [String]) throws -> String {
        guard recipients.allSatisfy(isPlain) else { return String(decoding: try JSONEncoder().encode(recipients), as: UTF8.self) }
        return recipients.isEmpty ? "[]" : "[\"" + recipients.joined(separator: "\",\"") + "\"]"
    }

    /// The recipients in a column's JSON text.
    static func recipients(in text: String) throws -> [String] {
        if text == "[]" { return [] }
        let bytes = Array(text.utf8)
        guard bytes.count >= 4, bytes.starts(with: [0x5B, 0x22]), bytes.reversed().starts(with: [0x5D, 0x22]), isPlain(text) else {
            return try JSONDecoder().decode([String].self, from: Data(text.utf8))
        }
        // Between `["` and `"]`, cut at each `","`.
        var recipients: [String] = []
        var start = 2
        var index = 2
        while index < bytes.count - 2 {
            if bytes[index] == 0x22, bytes[index + 1] == 0x2C, bytes[index + 2] == 0x22 {
                recipients.append(String(decoding: bytes[start..<index], as: UTF8.self))
                index += 3
                start = index
            } else {
                index += 1
            }
        }
        recipients.append(String(decoding: bytes[start..<bytes.count - 2], as: UTF8.self))
        // A quote left inside a piece means another form (spaces between items): Foundation reads it.
        guard !recipients.contains(where: { $0.utf8.contains(0x22) }) else {
            return try JSONDecoder().decode([String].self, from: Data(text.utf8))
        }
        return recipients
    }

    /// Whether `text` holds no byte that JSON escapes: `"`, `\` or a control character.
    private static func isPlain(_ text: String) -> Bool {
        !text.utf8.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
    }
}
