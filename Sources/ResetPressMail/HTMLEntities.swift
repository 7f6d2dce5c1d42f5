/// Decoding of HTML character references: the common named ones and all numeric ones.
enum HTMLEntities {
    /// The Latin-1 names (U+00A0 to U+00FF, in code point order).
    private static let latin1Names = """
    nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 \
    acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde \
    Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc \
    Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml \
    aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc \
    otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml
    """.split(separator: " ")

    /// Named references: Latin-1, the markup characters and common typography.
    static let named: [String: String] = {
        var table: [String: String] = [
            "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "trade": "™", "hellip": "…",
            "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "sbquo": "‚",
            "bdquo": "„", "euro": "€", "bull": "•", "dagger": "†", "OElig": "Œ", "oelig": "œ", "Scaron": "Š",
            "scaron": "š", "Yuml": "Ÿ", "thinsp": "\u{2009}", "ensp": "\u{2002}", "emsp": "\u{2003}",
            "zwnj": "\u{200C}", "zwj": "\u{200D}", "larr": "←", "rarr": "→", "check": "✓",
        ]
        for (offset, name) in latin1Names.enumerated() {
            if let scalar = Unicode.Scalar(0xA0 + offset) { table[String(name)] = String(Character(scalar)) }
        }
        return table
    }()

    private static let maxReferenceLength = 32

    /// `text` with each `&name;`, `&#123;` and `&#x7B;` replaced; unknown or unterminated references stay
    /// verbatim and invalid code points become U+FFFD.
    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "&",
                  let end = scalars[(index + 1)...].prefix(maxReferenceLength).firstIndex(of: ";"),
                  let replacement = reference(String(String.UnicodeScalarView(scalars[(index + 1)..<end])))
            else {
                result.append(scalars[index])
                index += 1
                continue
            }
            result.append(contentsOf: replacement.unicodeScalars)
            index = end + 1
        }
        return String(result)
    }

    private static func reference(_ body: String) -> String? {
        guard body.hasPrefix("#") else { return named[body] }
        let digits = body.dropFirst()
        let value: UInt32?
        if digits.first == "x" || digits.first == "X" {
            value = UInt32(digits.dropFirst(), radix: 16)
        } else {
            value = UInt32(digits, radix: 10)
        }
        guard let value else { return nil }
        guard value != 0, let scalar = Unicode.Scalar(value) else { return "\u{FFFD}" }
        return String(Character(scalar))
    }
}
