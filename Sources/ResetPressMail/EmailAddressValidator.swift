/// A practical email address check: what a password-reset form should accept, not every RFC 5321 corner.
///
/// Accepted: `local@domain` where the local part is ASCII `atext` with single inner dots (at most 64 octets),
/// the domain has at least two labels of letters (any script), digits and inner hyphens, each label at most
/// 63 octets in its `xn--` form, the top-level label is not all digits, and the whole address is at most
/// 254 octets. Rejected: whitespace, control characters, quoted local parts, domain literals, and any of
/// `<>(),;:\"[]`.
public enum EmailAddressValidator {
    /// The longest address accepted, in octets of its ASCII (`xn--`) form.
    public static let maxLength = 254
    /// The longest local part accepted, in octets.
    public static let maxLocalPartLength = 64

    /// Whether `address` is a usable email address under the rules above.
    public static func isValid(_ address: String) -> Bool {
        asciiVerdict(address) ?? isValidByScalars(address)
    }

    /// The rules checked scalar by scalar, with the domain's `xn--` form computed: any address.
    static func isValidByScalars(_ address: String) -> Bool {
        guard address.utf8.count <= maxLength * 4,
              let at = address.lastIndex(of: "@") else { return false }
        let local = address[address.startIndex..<at]
        let domain = address[address.index(after: at)...]
        guard isValidLocalPart(local), isValidDomain(domain),
              let asciiDomain = Punycode.asciiDomain(String(domain)) else { return false }
        guard asciiDomain.split(separator: ".").allSatisfy({ $0.utf8.count <= 63 }) else { return false }
        return local.utf8.count + 1 + asciiDomain.utf8.count <= maxLength
    }

    /// The same rules in one pass over the bytes of an all-ASCII address (nearly every address), where the
    /// `xn--` form is the address itself; nil when the address holds a non-ASCII byte.
    static func asciiVerdict(_ address: String) -> Bool? {
        var address = address
        return address.withUTF8 { bytes -> Bool? in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            guard bytes.count <= maxLength, let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return false }
            return isValidASCIILocalPart(UnsafeBufferPointer(rebasing: bytes[..<at]))
                && isValidASCIIDomain(UnsafeBufferPointer(rebasing: bytes[(at + 1)...]))
        }
    }

    private static func isValidASCIILocalPart(_ local: UnsafeBufferPointer<UInt8>) -> Bool {
        let dot = UInt8(ascii: ".")
        guard let first = local.first, let last = local.last, local.count <= maxLocalPartLength,
              first != dot, last != dot else { return false }
        var previous: UInt8 = 0
        for byte in local {
            guard byte != dot || previous != dot else { return false }
            guard Unicode.Scalar(byte).isAtext || byte == dot else { return false }
            previous = byte
        }
        return true
    }

    private static func isValidASCIIDomain(_ domain: UnsafeBufferPointer<UInt8>) -> Bool {
        let dot = UInt8(ascii: "."), hyphen = UInt8(ascii: "-")
        var labels = 0
        var labelStart = 0
        var labelAllDigits = true
        for index in 0...domain.count {
            guard index < domain.count, domain[index] != dot else {
                let length = index - labelStart
                guard length > 0, length <= 63, domain[labelStart] != hyphen, domain[index - 1] != hyphen else { return false }
                labels += 1
                if index == domain.count { return labels >= 2 && !labelAllDigits }
                labelStart = index + 1
                labelAllDigits = true
                continue
            }
            let byte = domain[index]
            guard Unicode.Scalar(byte).isASCIIAlphanumeric || byte == hyphen else { return false }
            if byte < 0x30 || byte > 0x39 { labelAllDigits = false }
        }
        return false
    }

    private static func isValidLocalPart(_ local: Substring) -> Bool {
        guard !local.isEmpty, local.utf8.count <= maxLocalPartLength,
              local.first != ".", local.last != ".", !local.contains("..") else { return false }
        return local.unicodeScalars.allSatisfy { scalar in
            guard scalar.isASCII else { return false }
            return scalar.isAtext || scalar == "."
        }
    }

    private static func isValidDomain(_ domain: Substring) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.first != "-", label.last != "-",
                  label.unicodeScalars.allSatisfy(isDomainScalar) else { return false }
        }
        guard let top = labels.last else { return false }
        return !top.unicodeScalars.allSatisfy { $0.value >= 0x30 && $0.value <= 0x39 }
    }

    private static func isDomainScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.isASCIIAlphanumeric || scalar == "-" }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .decimalNumber:
            return true
        default:
            return false
        }
    }
}
