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
    /// One pass over the UTF-8 bytes straight into the result's storage: this runs for every part of every
    /// mail. An input byte becomes at most three output bytes plus its share of a soft break (one per 25
    /// escaped bytes at the least), and a line ending at most two, so four bytes per input byte always suffice.
    static func encode(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count * 4 + 8) { output in
                var count = 0
                var lineStart = 0
                var index = 0
                while index < bytes.count {
                    // Eight bytes at a time while none of them ends a line.
                    if index &+ 8 <= bytes.count, !holdsLineBreak(word(bytes, at: index)) {
                        index &+= 8
                        continue
                    }
                    let byte = bytes[index]
                    guard byte == 0x0D || byte == 0x0A else {
                        index += 1
                        continue
                    }
                    encodeLine(bytes, lineStart..<index, into: output, count: &count)
                    index += byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
                    lineStart = index
                }
                if lineStart < bytes.count || count == 0 {
                    encodeLine(bytes, lineStart..<bytes.count, into: output, count: &count)
                }
                return count
            }
        }
    }

    /// Writes one line of text at `output[count...]`, soft-broken at 76 characters, and its CRLF.
    private static func encodeLine(
        _ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, into output: UnsafeMutableBufferPointer<UInt8>,
        count: inout Int
    ) {
        var column = 0
        var index = line.lowerBound
        while index < line.upperBound {
            // Most bytes come in runs written as they are: printable, not `=`, a space or tab only before the
            // line's last byte, past the line's start (where `.` and `F` may need escaping), with room left on
            // the line. A run is found, then copied whole.
            if column > 0 {
                // Eight at a time while they fit on the line, none is its last byte, and all are written as they are.
                while column &+ 8 <= maxLineLength &- 1, index &+ 8 < line.upperBound {
                    let eight = word(bytes, at: index)
                    guard isPlainOrBlank(eight) else { break }
                    UnsafeMutableRawPointer(output.baseAddress! + count).storeBytes(of: eight, as: UInt64.self)
                    count &+= 8
                    column &+= 8
                    index &+= 8
                }
                let room = min(line.upperBound, index &+ (maxLineLength &- 1 &- column))
                let last = line.upperBound &- 1
                var end = index
                while end < room, isPlain(bytes[end]) || (isBlank(bytes[end]) && end < last) { end &+= 1 }
                if end > index {
                    let run = end &- index
                    UnsafeMutableRawPointer(output.baseAddress! + count).copyMemory(from: bytes.baseAddress! + index, byteCount: run)
                    count &+= run
                    column &+= run
                    index = end
                    continue
                }
            }
            let byte = bytes[index]
            defer { index += 1 }
            let isLast = index == line.upperBound - 1
            var escaped = escapes(byte, at: index, of: bytes, line: line, isLast: isLast, atLineStart: column == 0)
            if column + (escaped ? 3 : 1) > (isLast ? maxLineLength : maxLineLength - 1) {
                output[count] = 0x3D
                output[count + 1] = 0x0D
                output[count + 2] = 0x0A
                count += 3
                column = 0
                escaped = escapes(byte, at: index, of: bytes, line: line, isLast: isLast, atLineStart: true)
            }
            if escaped {
                output[count] = 0x3D
                output[count + 1] = hexDigit(byte >> 4)
                output[count + 2] = hexDigit(byte & 0x0F)
                count += 3
                column += 3
            } else {
                output[count] = byte
                count += 1
                column += 1
            }
        }
        output[count] = 0x0D
        output[count + 1] = 0x0A
        count += 2
    }

    /// Whether the byte at `index` must be escaped where it lands (a soft break starts an output line too).
    private static func escapes(
        _ byte: UInt8, at index: Int, of bytes: UnsafeBufferPointer<UInt8>, line: Range<Int>, isLast: Bool, atLineStart: Bool
    ) -> Bool {
        mustEscape(byte, isLast: isLast, atLineStart: atLineStart)
            || (atLineStart && byte == 0x46 && UnsafeBufferPointer(rebasing: bytes[index..<line.upperBound]).starts(with: "From ".utf8))
    }

    // MARK: - Eight bytes at a time

    /// The eight bytes at `index`, as one word (byte order does not matter to the tests below).
    @inline(__always)
    private static func word(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt64 {
        UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
    }

    private static let lowBits: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte of `word` is below `limit` (at most 0x80), bytes of 0x80 and up excepted.
    @inline(__always)
    private static func holdsByte(below limit: UInt8, _ word: UInt64) -> Bool {
        (word &- lowBits &* UInt64(limit)) & ~word & highBits != 0
    }

    /// Whether any byte of `word` equals `byte`.
    @inline(__always)
    private static func holds(_ byte: UInt8, _ word: UInt64) -> Bool {
        holdsByte(below: 1, word ^ (lowBits &* UInt64(byte)))
    }

    /// Whether any of the eight bytes is a CR or an LF.
    @inline(__always)
    private static func holdsLineBreak(_ word: UInt64) -> Bool {
        holds(0x0D, word) || holds(0x0A, word)
    }

    /// Whether each of the eight bytes is printable ASCII other than `=`, or a space: written as it is
    /// anywhere but at a line's start or end.
    @inline(__always)
    private static func isPlainOrBlank(_ word: UInt64) -> Bool {
        word & highBits == 0 && !holdsByte(below: 0x20, word) && !holds(0x7F, word) && !holds(0x3D, word)
    }

    /// Whether `byte` is written as it is anywhere but at a line's start: printable ASCII other than `=`.
    @inline(__always)
    private static func isPlain(_ byte: UInt8) -> Bool {
        byte &- 0x21 < 0x5E && byte != 0x3D
    }

    /// Whether `byte` is a space or a tab, written as it is unless it ends its line.
    @inline(__always)
    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09
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
