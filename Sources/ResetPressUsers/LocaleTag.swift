/// BCP 47 language tags as ResetPress uses them: checked, normalized and narrowed to a language.
public enum LocaleTag {
    /// `tag` normalized (`fr_ca` → `fr-CA`, `FR` → `fr`), or `nil` when it is not a plausible
    /// BCP 47 tag (a 2–3 letter language, then 1–8 character alphanumeric subtags).
    public static func normalized(_ tag: String) -> String? {
        // A plain lower-case language ("en"), the common case, is already normalized: no splits.
        let utf8 = tag.utf8
        if (2...3).contains(utf8.count), utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }) { return tag }
        let parts = tag.trimmingWhitespace().split(separator: "-", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "_", omittingEmptySubsequences: false) }
        guard let language = parts.first, (2...3).contains(language.count),
              language.allSatisfy({ $0.isASCII && $0.isLetter })
        else { return nil }
        var result = language.lowercased()
        for part in parts.dropFirst() {
            guard (1...8).contains(part.count), part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
            result += "-" + (part.count == 2 ? part.uppercased() : part.count == 4 ? part.prefix(1).uppercased() + part.dropFirst().lowercased() : part.lowercased())
        }
        return result
    }

    /// The language subtag of a normalized tag: `fr` for `fr-CA`.
    public static func language(of tag: String) -> String {
        String(tag.prefix { $0 != "-" })
    }

    /// The tags of an `Accept-Language` header, best quality first (ties keep header order);
    /// `*`, malformed entries and `q=0` are left out.
    public static func accepted(_ header: String) -> [String] {
        var entries: [(tag: String, quality: Double, index: Int)] = []
        for (index, item) in header.split(separator: ",").enumerated() {
            let pieces = item.split(separator: ";")
            guard let first = pieces.first, let tag = normalized(String(first)) else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
                if pair.count == 2, pair[0].lowercased() == "q" { quality = Double(pair[1]) ?? 0 }
            }
            if quality > 0 { entries.append((tag, quality, index)) }
        }
        return entries.sorted { $0.quality != $1.quality ? $0.quality > $1.quality : $0.index < $1.index }.map(\.tag)
    }
}
