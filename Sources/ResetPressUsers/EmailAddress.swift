/// A deliberately simple check that a string looks like an email address.
public enum EmailAddress {
    /// Whether `candidate` has exactly one `@` with something on both sides, a dot inside the domain
    /// (neither its first nor its last character), and no whitespace or control characters.
    public static func isPlausible(_ candidate: String) -> Bool {
        var atCount = 0
        var localLength = 0
        var domainLength = 0
        var domainHasDot = false
        var previous: Unicode.Scalar = "@"
        var domainFirst: Unicode.Scalar = "@"
        for scalar in candidate.unicodeScalars {
            if scalar.value <= 0x20 || scalar.value == 0x7f
                || (scalar.value > 0x7f && scalar.properties.isWhitespace) {
                return false
            }
            if scalar == "@" {
                atCount += 1
            } else if atCount == 0 {
                localLength += 1
            } else {
                if domainLength == 0 { domainFirst = scalar }
                domainLength += 1
                domainHasDot = domainHasDot || scalar == "."
            }
            previous = scalar
        }
        return atCount == 1 && localLength > 0 && domainHasDot && domainFirst != "." && previous != "."
    }
}
