/// Splits template source into literal text and placeholders in a single linear scan over its UTF-8 bytes.
enum TemplateParser {
    /// The result of parsing: pieces, the canonical key of each slot, and the names as written.
    struct Parsed {
        var pieces: [Template.Piece] = []
        var keys: [String] = []
        var names: [String] = []
    }

    /// Parses UTF-8 `bytes` into pieces; adjacent literal text is kept as one piece.
    static func parse(_ bytes: [UInt8]) -> Parsed {
        bytes.withUnsafeBufferPointer { bytes in
            var parsed = Parsed()
            var slots: [String: Int] = [:]
            var seenNames: Set<String> = []
            var literalStart = 0
            var index = 0
            while index < bytes.count {
                guard let match = placeholder(in: bytes, at: index) else {
                    index += 1
                    continue
                }
                if literalStart < index {
                    parsed.pieces.append(.literal(literalStart..<index))
                }
                if seenNames.insert(match.name).inserted {
                    parsed.names.append(match.name)
                }
                let key = TemplateVariables.aliases[match.name] ?? match.name
                let slot: Int
                if let existing = slots[key] {
                    slot = existing
                } else {
                    slot = parsed.keys.count
                    slots[key] = slot
                    parsed.keys.append(key)
                }
                parsed.pieces.append(.init(start: index, end: match.end, slot: slot, escaped: match.escaped))
                index = match.end
                literalStart = match.end
            }
            if literalStart < bytes.count {
                parsed.pieces.append(.literal(literalStart..<bytes.count))
            }
            return parsed
        }
    }

    /// A placeholder found in the source: its upper-cased name, form and end index.
    private struct Match {
        let name: String
        let escaped: Bool
        let end: Int
    }

    /// The placeholder that starts at `start`, or nil if none starts there.
    private static func placeholder(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Match? {
        guard start + 1 < bytes.count, let form = Form(bytes[start], bytes[start + 1]) else { return nil }
        var index = skipBlanks(in: bytes, from: start + 2)
        let nameStart = index
        while index < bytes.count, isNameByte(bytes[index]) {
            index += 1
        }
        guard index > nameStart else { return nil }
        let nameEnd = index
        index = skipBlanks(in: bytes, from: index)
        guard index + 1 < bytes.count, bytes[index] == form.close.0, bytes[index + 1] == form.close.1 else {
            return nil
        }
        return Match(name: upperCased(bytes, nameStart..<nameEnd), escaped: form.escaped, end: index + 2)
    }

    /// The three delimiter pairs.
    private enum Form {
        case braces, angles, raw

        /// The form whose opening delimiter is `first second`, if any.
        init?(_ first: UInt8, _ second: UInt8) {
            switch (first, second) {
            case (UInt8(ascii: "{"), UInt8(ascii: "{")): self = .braces
            case (UInt8(ascii: "<"), UInt8(ascii: "<")): self = .angles
            case (UInt8(ascii: "{"), UInt8(ascii: "*")): self = .raw
            default: return nil
            }
        }

        /// The closing delimiter.
        var close: (UInt8, UInt8) {
            switch self {
            case .braces: (UInt8(ascii: "}"), UInt8(ascii: "}"))
            case .angles: (UInt8(ascii: ">"), UInt8(ascii: ">"))
            case .raw: (UInt8(ascii: "*"), UInt8(ascii: "}"))
            }
        }

        /// Whether values are HTML-escaped in HTML output.
        var escaped: Bool { self != .raw }
    }

    /// The first index at or after `index` that is not a space or tab.
    private static func skipBlanks(in bytes: UnsafeBufferPointer<UInt8>, from index: Int) -> Int {
        var index = index
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 {
            index += 1
        }
        return index
    }

    /// Whether `byte` may appear in a placeholder name: ASCII letter, digit, `_`, `.` or `-`.
    @inline(__always)
    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// The ASCII name bytes in `range`, upper-cased.
    private static func upperCased(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(unsafeUninitializedCapacity: range.count) { buffer in
            for (offset, byte) in bytes[range].enumerated() {
                let isLower = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
                buffer[offset] = isLower ? byte - 32 : byte
            }
            return range.count
        }
    }
}
