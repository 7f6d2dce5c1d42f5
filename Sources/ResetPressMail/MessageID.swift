/// `Message-ID` values: `<random@domain>`.
public enum MessageID {
    private static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.".unicodeScalars)

    /// A new id `<32 random hex digits@domain>`; the domain is put in ASCII form and stripped of anything
    /// not allowed in a domain, falling back to `localhost` when nothing is left.
    public static func generate(domain: String) -> String {
        "<" + RandomHex.make(byteCount: 16) + "@" + cleanDomain(domain) + ">"
    }

    /// `id` reduced to a safe `<left@right>` form (brackets added, disallowed characters dropped); a fresh id
    /// for `fallbackDomain` when nothing usable remains.
    static func normalized(_ id: String, fallbackDomain: String) -> String {
        let kept = String(String.UnicodeScalarView(id.unicodeScalars.filter { allowed.contains($0) || $0 == "@" }))
        let parts = kept.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return generate(domain: fallbackDomain) }
        return "<" + kept + ">"
    }

    private static func cleanDomain(_ domain: String) -> String {
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
}
