/// RFC 2045 quoted-printable body encoding with CRLF line endings.
///
/// Output lines are at most 76 characters (soft breaks end in `=`); trailing spaces and tabs are encoded;
/// a `.` and the `F` of `From ` that would start an output line (after a line break or a soft break) are
/// encoded too, so neither SMTP dot-stuffing nor mbox quoting can alter the body. A literal `=` is always
/// encoded, so the output never holds `=` followed by anything but two hex digits or a line break
/// (``MIMEWriter`` relies on it).
enum QuotedPrintable {
    /// The longest encoded line, CRLF excluded.
    static let maxLineLength = 76

    /// `text` encoded; any line ending (CRLF, CR or LF) becomes CRLF and the result ends with CRLF.
    ///
    /// One pass over the UTF-8 bytes into one preallocated buffer: this runs for every part of every mail.
    static func encode(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count + bytes.count / 4 + 2)
            var lineStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                guard byte == 0x0D || byte == 0x0A else {
                    index += 1
                    continue
                }
                encodeLine(bytes[lineStart..<index], into: &output)
                index += byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
                lineStart = index
            }
            if lineStart < bytes.count || output.isEmpty {
                encodeLine(bytes[lineStart..<bytes.count], into: &output)
            }
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// Appends one line of text, soft-broken at 76 characters, and its CRLF.
    private static func encodeLine(_ line: Slice<UnsafeBufferPointer<UInt8>>, into output: inout [UInt8]) {
        var column = 0
        for index in line.indices {
            let byte = line[index]
            let isLast = index == line.endIndex - 1
            // Whether the byte must be escaped where it lands (a soft break starts an output line too).
            func escapes(atLineStart: Bool) -> Bool {
                mustEscape(byte, isLast: isLast, atLineStart: atLineStart)
                    || (atLineStart && byte == 0x46 && line[index...].starts(with: "From ".utf8))
            }
            var escaped = escapes(atLineStart: column == 0)
            if column + (escaped ? 3 : 1) > (isLast ? maxLineLength : maxLineLength - 1) {
                output.append(0x3D)
                output.append(0x0D)
                output.append(0x0A)
                column = 0
                escaped = escapes(atLineStart: true)
            }
            if escaped {
                output.append(0x3D)
                output.append(hexDigit(byte >> 4))
                output.append(hexDigit(byte & 0x0F))
                column += 3
            } else {
                output.append(byte)
                column += 1
            }
        }
        output.append(0x0D)
        output.append(0x0A)
    }

    /// Whether `byte` must be written as `=XX` at this place of a line.
    private static func mustEscape(_ byte: UInt8, isLast: Bool, atLineStart: Bool) -> Bool {
        switch byte {
        case 0x20, 0x09: isLast
        case 0x2E: atLineStart
        case 0x3D: true
        case 0x21...0x7E: false
        default: true
        }
    }

    /// The upper-case hex digit of a value below 16.
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x37 + value
    }
}
