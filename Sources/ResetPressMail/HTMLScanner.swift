/// A forgiving HTML tokenizer: text runs, start tags with attributes, end tags; comments, doctypes and
/// processing instructions are skipped. A `<` that does not start a tag is text.
struct HTMLScanner {
    /// One piece of HTML.
    enum Token: Equatable {
        case text(String)
        case startTag(name: String, attributes: [String: String], selfClosing: Bool)
        case endTag(name: String)
    }

    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ html: String) {
        scalars = Array(html.unicodeScalars)
    }

    /// The next token, or nil at the end.
    mutating func next() -> Token? {
        while index < scalars.count {
            if scalars[index] == "<" {
                let before = index
                if let token = tag() { return token }
                if index != before { continue }
            }
            return textRun()
        }
        return nil
    }

    /// Skips the contents of a raw-text element up to and including `</name…>`, or to the end.
    mutating func skipRawText(until name: String) {
        let closing = Array(("</" + name).unicodeScalars)
        while index < scalars.count {
            if matches(closing, at: index) {
                index += closing.count
                skip(past: ">")
                return
            }
            index += 1
        }
    }

    private mutating func textRun() -> Token {
        let start = index
        index += 1
        while index < scalars.count, scalars[index] != "<" { index += 1 }
        return .text(string(start..<index))
    }

    /// Parses the markup at `<`. Returns nil having moved past a comment or declaration, or nil with the
    /// position unchanged when the `<` is not markup (not followed by a tag name, or never closed by `>`).
    private mutating func tag() -> Token? {
        let start = index
        guard start + 1 < scalars.count else { return nil }
        let second = scalars[start + 1]
        if matches(Array("<!--".unicodeScalars), at: start) {
            index = start + 4
            while index < scalars.count, !matches(Array("-->".unicodeScalars), at: index) { index += 1 }
            index = min(scalars.count, index + 3)
            return nil
        }
        if second == "!" || second == "?" {
            index = start + 2
            skip(past: ">")
            return nil
        }
        let closing = second == "/"
        index = start + (closing ? 2 : 1)
        guard index < scalars.count, scalars[index].properties.isAlphabetic, scalars[index].isASCII else {
            index = start
            return nil
        }
        let name = readName().lowercased()
        var attributes: [String: String] = [:]
        var selfClosing = false
        var terminated = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == ">" {
                index += 1
                terminated = true
                break
            }
            if scalar == "/" || scalar.properties.isWhitespace {
                selfClosing = scalar == "/"
                index += 1
                continue
            }
            selfClosing = false
            let attribute = readName().lowercased()
            if attribute.isEmpty { index += 1 }
            let value = readAttributeValue()
            if !attribute.isEmpty, attributes[attribute] == nil { attributes[attribute] = value }
        }
        guard terminated else {
            index = start
            return nil
        }
        return closing ? .endTag(name: name) : .startTag(name: name, attributes: attributes, selfClosing: selfClosing)
    }

    private mutating func readName() -> String {
        let start = index
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == ">" || scalar == "/" || scalar == "=" || scalar.properties.isWhitespace { break }
            index += 1
        }
        return string(start..<index)
    }

    private mutating func readAttributeValue() -> String {
        skipWhitespace()
        guard index < scalars.count, scalars[index] == "=" else { return "" }
        index += 1
        skipWhitespace()
        guard index < scalars.count else { return "" }
        let quote = scalars[index]
        if quote == "\"" || quote == "'" {
            index += 1
            let start = index
            while index < scalars.count, scalars[index] != quote { index += 1 }
            let value = string(start..<index)
            index = min(scalars.count, index + 1)
            return value
        }
        let start = index
        while index < scalars.count, scalars[index] != ">", !scalars[index].properties.isWhitespace { index += 1 }
        return string(start..<index)
    }

    private mutating func skipWhitespace() {
        while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
    }

    private mutating func skip(past terminator: Unicode.Scalar) {
        while index < scalars.count, scalars[index] != terminator { index += 1 }
        index = min(scalars.count, index + 1)
    }

    /// Whether `pattern` (ASCII) occurs at `position`, ignoring ASCII case.
    private func matches(_ pattern: [Unicode.Scalar], at position: Int) -> Bool {
        guard position + pattern.count <= scalars.count else { return false }
        for (offset, expected) in pattern.enumerated() where lower(scalars[position + offset]) != lower(expected) {
            return false
        }
        return true
    }

    private func lower(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(scalar.value + 0x20) ?? scalar : scalar
    }

    private func string(_ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(scalars[range]))
    }
}
