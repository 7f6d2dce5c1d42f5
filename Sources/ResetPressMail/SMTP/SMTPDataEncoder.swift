/// Turns a rendered message into the bytes sent after `DATA` (RFC 5321 §4.5.2).
enum SMTPDataEncoder {
    /// `message` with every line break made CRLF, a `.` doubled at the start of each line (dot-stuffing),
    /// a final CRLF added when missing, and the terminating `.` line appended.
    static func encode(_ message: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.utf8.count + message.utf8.count / 64 + 8)
        var atLineStart = true
        var previous: UInt8 = 0
        for byte in message.utf8 {
            switch byte {
            case 0x0A:  // LF: becomes CRLF unless it already follows a CR
                if previous != 0x0D { output.append(0x0D) }
                output.append(0x0A)
                atLineStart = true
            default:
                if previous == 0x0D {  // a bare CR becomes CRLF
                    output.append(0x0A)
                    atLineStart = true
                }
                if byte != 0x0D {
                    if atLineStart && byte == 0x2E { output.append(0x2E) }
                    atLineStart = false
                }
                output.append(byte)
            }
            previous = byte
        }
        if previous == 0x0D {
            output.append(0x0A)
        } else if !atLineStart {
            output.append(contentsOf: [0x0D, 0x0A])
        }
        output.append(contentsOf: [0x2E, 0x0D, 0x0A])
        return output
    }
}
