/// `Message-ID` values: `<random@domain>`.
public enum MessageID {
    /// For each ASCII byte, whether an id keeps it (the `atext` characters and `.`; `@` is counted apart).
    private static let allowed: [Bool] = {
        var table = [Bool](repeating: false, count: 128)
        for byte in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.".utf8 { table[Int(byte)] = true }
        return table
    }()

    /// A new id `<32 random hex digits@domain>`; the domain is put in ASCII form and stripped of anything
    /// not allowed in a domain, falling back to `localhost` when nothing is left.
    public static func generate(domain: String) -> String {
        "<" + RandomHex.make(byteCount: 16) + "@" + cleanDomain(domain) + ">"
    }

    /// `id` reduced to a safe `<left@right>` form (brackets added, disallowed characters dropped); a fresh id
    /// for `fallbackDomain` when nothing usable remains.
    static func normalized(_ id: String, fallbackDomain: String) -> String {
        let at = UInt8(ascii: "@")
        var kept: [UInt8] = [UInt8(ascii: "<")]
        kept.reserveCapacity(id.utf8.count + 2)
        var atCount = 0
        var atIndex = 0
        // One pass over the bytes: a non-ASCII scalar's bytes are all 0x80 or above, so it is dropped whole.
        for byte in id.utf8 where byte < 0x80 && (allowed[Int(byte)] || byte == at) {
            if byte == at {
                atCount += 1
                atIndex = kept.count
            }
            kept.append(byte)
        }
        guard atCount == 1, atIndex > 1, atIndex < kept.count - 1 else { return generate(domain: fallbackDomain) }
        kept.append(UInt8(ascii: ">"))
        return String(decoding: kept, as: UTF8.self)
    }

    private static func cleanDomain(_ domain: String) -> String {
        if domain.utf8.allSatisfy({ $0 < 0x80 }) { return cleanASCIIDomain(domain) }
        let ascii = (Punycode.asciiDomain(domain.lowercased()) ?? "").lowercased()
        let kept = ascii.unicodeScalars.filter { scalar in
            switch scalar.value {
            case 0x30...0x39, 0x61...0x7A, 0x2D, 0x2E: true
            default: false
            }
        }
        let cleaned = String(String.UnicodeScalarView(kept)).split(separator: ".").joined(separator: ".")
        return cleaned.isEmpty ? "localhost" : cleaned
    }

    /// ``cleanDomain(_:)`` of an ASCII domain in one pass: lower-cased, letters, digits, `-` and `.` kept,
    /// empty labels dropped.
    private static func cleanASCIIDomain(_ domain: String) -> String {
        var kept: [UInt8] = []
        kept.reserveCapacity(domain.utf8.count)
        for byte in domain.utf8 {
            let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            switch lower {
            case 0x30...0x39, 0x61...0x7A, 0x2D: kept.append(lower)
            case 0x2E where kept.last.map({ $0 != 0x2E }) ?? false: kept.append(lower)
            default: break
            }
        }
        if kept.last == 0x2E { kept.removeLast() }
        return kept.isEmpty ? "localhost" : String(decoding: kept, as: UTF8.self)
    }
}
