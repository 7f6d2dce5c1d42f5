/// RFC 2045 quoted-printable body encoding with CRLF line endings.
///
/// Output lines are at most 76 characters (soft breaks end in `=`); trailing spaces and tabs are encoded;
/// a `.` that would start a line and the `F` of a line-initial `From ` are encoded too, so neither SMTP
/// dot-stuffing nor mbox quoting can alter the body.
enum QuotedPrintable {
    /// The longest encoded line, CRLF excluded.
    static let maxLineLength = 76
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// `text` encoded; any line ending (CRLF, CR or LF) becomes CRLF and the result ends with CRLF.
    static func encode(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        for line in lines(of: text) {
            encodeLine(line, into: &output)
            output += [0x0D, 0x0A]
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The lines of `text` as UTF-8, without their terminators; a final terminator adds no empty line.
    static func lines(of text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var afterCR = false
        for byte in text.utf8 {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }
            }
            if byte == 0x0D || byte == 0x0A {
                lines.append(current)
                current = []
                afterCR = byte == 0x0D
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    private static func encodeLine(_ line: [UInt8], into output: inout [UInt8]) {
        let startsWithFrom = line.starts(with: Array("From ".utf8))
        var column = 0
        for (index, byte) in line.enumerated() {
            let isLast = index == line.count - 1
            var token = encoded(byte, isLast: isLast, atLineStart: column == 0, forceEscape: index == 0 && startsWithFrom)
            if column + token.count > (isLast ? maxLineLength : maxLineLength - 1) {
                output += [0x3D, 0x0D, 0x0A]
                column = 0
                token = encoded(byte, isLast: isLast, atLineStart: true, forceEscape: false)
            }
            output += token
            column += token.count
        }
    }

    private static func encoded(_ byte: UInt8, isLast: Bool, atLineStart: Bool, forceEscape: Bool) -> [UInt8] {
        let literal: Bool
        switch byte {
        case 0x20, 0x09: literal = !isLast
        case 0x2E: literal = !atLineStart
        case 0x3D: literal = false
        case 0x21...0x7E: literal = true
        default: literal = false
        }
        if literal && !forceEscape { return [byte] }
        return [0x3D, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
    }
}
