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

    private static let localSpecials = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)

    /// Whether `address` is a usable email address under the rules above.
    public static func isValid(_ address: String) -> Bool {
        guard address.utf8.count <= maxLength * 4,
              let at = address.lastIndex(of: "@") else { return false }
        let local = address[address.startIndex..<at]
        let domain = address[address.index(after: at)...]
        guard isValidLocalPart(local), isValidDomain(domain),
              let asciiDomain = Punycode.asciiDomain(String(domain)) else { return false }
        guard asciiDomain.split(separator: ".").allSatisfy({ $0.utf8.count <= 63 }) else { return false }
        return local.utf8.count + 1 + asciiDomain.utf8.count <= maxLength
    }

    private static func isValidLocalPart(_ local: Substring) -> Bool {
        guard !local.isEmpty, local.utf8.count <= maxLocalPartLength,
              local.first != ".", local.last != ".", !local.contains("..") else { return false }
        return local.unicodeScalars.allSatisfy { scalar in
            guard scalar.isASCII else { return false }
            return isASCIIAlphanumeric(scalar) || scalar == "." || localSpecials.contains(scalar)
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
        if scalar.isASCII { return isASCIIAlphanumeric(scalar) || scalar == "-" }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .decimalNumber:
            return true
        default:
            return false
        }
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }
}
