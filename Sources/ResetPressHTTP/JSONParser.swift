/// Why a JSON text was refused, with the byte offset where parsing stopped.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, in words.
    public let reason: String
    /// Byte offset into the input where the problem was found.
    public let offset: Int

    /// "Invalid JSON at byte N: reason".
    public var description: String { "Invalid JSON at byte \(offset): \(reason)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes. Strings must be valid UTF-8 without raw control characters,
/// escapes must be well formed (surrogates paired), and nesting is limited to `maxDepth`.
struct JSONParser {
    /// Deepest nesting of arrays and objects accepted, so hostile input cannot exhaust the stack.
    static let maxDepth = 128

    private let bytes: UnsafeRawBufferPointer
    private(set) var index = 0
    private var depth = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Parses one value surrounded only by whitespace.
    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        let value = try parseValue()
        try expectEnd()
        return value
    }

    /// Parses a document that must be an object and returns its members with each value as parameter text:
    /// strings as is, numbers as their literal text, Booleans as `true`/`false`, `null` as `nil`,
    /// arrays and objects as their compact serialization.
    mutating func parseParameterObject() throws(JSONParseError) -> [(String, String?)] {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else { throw fail("expected an object") }
        index += 1
        var members: [(String, String?)] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            try expectEnd()
            return members
        }
        depth = 1
        while true {
            skipWhitespace()
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            let start = index
            let value = try parseValue()
            switch value {
            case .null: members.append((key, nil))
            case .bool(let flag): members.append((key, flag ? "true" : "false"))
            case .number: members.append((key, String(decoding: bytes[start..<index], as: UTF8.self)))
            case .string(let text): members.append((key, text))
            case .array, .object: members.append((key, value.serialized()))
            }
            skipWhitespace()
            if try endOfContainer(UInt8(ascii: "}")) { break }
        }
        try expectEnd()
        return members
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard let byte = peek() else { throw fail("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character")
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        if try enterContainer(closing: UInt8(ascii: "}")) { return .object([]) }
        var members: [(String, JSONValue)] = []
        var positions: [String: Int] = [:]
        while true {
            skipWhitespace()
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            let value = try parseValue()
            if let position = positions[key] {
                members[position].1 = value
            } else {
                positions[key] = members.count
                members.append((key, value))
            }
            skipWhitespace()
            if try endOfContainer(UInt8(ascii: "}")) { break }
        }
        depth -= 1
        return .object(members)
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        if try enterContainer(closing: UInt8(ascii: "]")) { return .array([]) }
        var elements: [JSONValue] = []
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            if try endOfContainer(UInt8(ascii: "]")) { break }
        }
        depth -= 1
        return .array(elements)
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else if try digits() == 0 {
            throw fail("a number needs digits")
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            if try digits() == 0 { throw fail("a fraction needs digits") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            if try digits() == 0 { throw fail("an exponent needs digits") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let number = Double(text) else { throw fail("number out of range") }
        return .number(number)
    }

    private mutating func digits() throws(JSONParseError) -> Int {
        let start = index
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw fail("expected a string") }
        index += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = peek() else { throw fail("unterminated string") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw fail("string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0..<0x20:
                throw fail("control character in string")
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(JSONParseError) {
        guard let byte = peek() else { throw fail("unterminated escape") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try hex4())
            if (0xD800..<0xDC00).contains(scalar) {
                guard peek() == UInt8(ascii: "\\"), peek(at: index + 1) == UInt8(ascii: "u") else {
                    throw fail("unpaired surrogate")
                }
                index += 2
                let low = UInt32(try hex4())
                guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw fail("unpaired surrogate") }
            UTF8.encode(unicode) { utf8.append($0) }
        default:
            throw fail("invalid escape")
        }
    }

    private mutating func hex4() throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = HexDigit.value(of: byte) else { throw fail("invalid \\u escape") }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    /// Consumes a container's opening byte and the white space after it; true when `closing` follows
    /// at once (an empty container, consumed and left).
    private mutating func enterContainer(closing: UInt8) throws(JSONParseError) -> Bool {
        depth += 1
        guard depth <= Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth) levels") }
        index += 1
        skipWhitespace()
        guard peek() == closing else { return false }
        index += 1
        depth -= 1
        return true
    }

    /// After a member or element: consumes `,` (returns false) or the closing byte (returns true).
    private mutating func endOfContainer(_ closing: UInt8) throws(JSONParseError) -> Bool {
        guard let byte = peek() else { throw fail("unexpected end of input") }
        index += 1
        if byte == closing { return true }
        if byte == UInt8(ascii: ",") { return false }
        throw fail("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end of input") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw fail("unexpected character")
        }
        index += count
    }

    private mutating func expect(_ byte: UInt8) throws(JSONParseError) {
        guard peek() == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    private mutating func expectEnd() throws(JSONParseError) {
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected text after the document") }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(),
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
        {
            index += 1
        }
    }

    private func peek() -> UInt8? { peek(at: index) }

    private func peek(at position: Int) -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private func fail(_ reason: String) -> JSONParseError {
        JSONParseError(reason: reason, offset: index)
    }
}

/// Hexadecimal digit values, shared by the JSON and percent-encoding decoders.
enum HexDigit {
    /// The value of an ASCII hex digit, or `nil`.
    static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
