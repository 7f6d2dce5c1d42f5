/// Byte classes of RFC 5322 and RFC 2047 that addresses and headers are checked against, by `switch`
/// rather than a set lookup: they run for every byte of every address and header.
extension Unicode.Scalar {
    /// An ASCII letter or digit.
    var isASCIIAlphanumeric: Bool {
        switch value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    /// RFC 5322 `atext`: a letter, a digit or one of ``!#$%&'*+-/=?^_`{|}~``.
    var isAtext: Bool {
        switch value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x21, 0x23...0x27, 0x2A, 0x2B, 0x2D, 0x2F, 0x3D, 0x3F, 0x5E...0x60, 0x7B...0x7E: true
        default: false
        }
    }

    /// Written as itself in an RFC 2047 Q-encoded word: a letter, a digit or one of `!*+-/`.
    var isQLiteral: Bool {
        switch value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x21, 0x2A, 0x2B, 0x2D, 0x2F: true
        default: false
        }
    }
}

extension StringProtocol {
    /// Whether the text holds `=?`, the start of an RFC 2047 encoded word (a byte scan, not Foundation's search).
    var holdsEncodedWordMarker: Bool {
        var previous: UInt8 = 0
        for byte in utf8 {
            if previous == 0x3D, byte == 0x3F { return true }
            previous = byte
        }
        return false
    }

    /// Whether every byte is printable ASCII (space to `~`).
    var isPrintableASCII: Bool {
        utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }
}
