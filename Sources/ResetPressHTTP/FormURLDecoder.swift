/// Decodes `application/x-www-form-urlencoded` text (query strings and form bodies) the way PHP fills
/// `$_GET`/`$_POST` for flat names: pairs split on `&`, `+` is a space, `%XX` is a byte, a name without `=`
/// has an empty value, an empty name is skipped. Unlike PHP, a broken `%` escape or a result that is not
/// valid UTF-8 is an error rather than passed through.
enum FormURLDecoder {
    /// The pairs of `bytes`, in order; throws `.malformed` on bad escapes, invalid UTF-8, or more than
    /// `maxPairs` pairs.
    static func decode(_ bytes: some Collection<UInt8>, maxPairs: Int) throws(ParameterError) -> [(String, String?)] {
        var pairs: [(String, String?)] = []
        for piece in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let name: String
            let value: String
            if let equals = piece.firstIndex(of: UInt8(ascii: "=")) {
                name = try decodeComponent(piece[piece.startIndex..<equals])
                value = try decodeComponent(piece[piece.index(after: equals)...])
            } else {
                name = try decodeComponent(piece)
                value = ""
            }
            guard !name.isEmpty else { continue }
            pairs.append((name, value))
            guard pairs.count <= maxPairs else {
                throw .malformed(reason: "more than \(maxPairs) parameters")
            }
        }
        return pairs
    }

    /// One percent-decoded component with `+` read as a space.
    static func decodeComponent(_ bytes: some Collection<UInt8>) throws(ParameterError) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(HexDigit.value(of:)),
                    let low = iterator.next().flatMap(HexDigit.value(of:))
                else {
                    throw .malformed(reason: "invalid percent-encoding")
                }
                output.append(high << 4 | low)
            default:
                output.append(byte)
            }
        }
        guard let text = String(validating: output, as: UTF8.self) else {
            throw .malformed(reason: "parameter is not valid UTF-8")
        }
        return text
    }
}
