#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import NIOCore

/// A JSON document as a value: what SJL response filters, executable hooks and the API envelope exchange.
///
/// Objects are ordered lists of members, so `serialized()` writes keys in insertion order and a filter that
/// rewrites one field leaves the rest of the text stable. Parsing a document with a repeated key keeps the
/// first position and the last value (as JavaScript's `JSON.parse` does). Equality of objects ignores member
/// order; equality of numbers is `Double` equality.
public enum JSONValue: Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number; integral values up to 10^15 serialize without a fraction.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object: members in insertion order.
    case object([(String, JSONValue)])
}

extension JSONValue {
    /// Parses a complete JSON text (RFC 8259; strict UTF-8, nesting at most 128 levels deep).
    public init(parsing buffer: ByteBuffer) throws(JSONParseError) {
        self = try buffer.withUnsafeReadableBytes { bytes in
            var parser = JSONParser(bytes: bytes)
            return Result { () throws(JSONParseError) in try parser.parseDocument() }
        }.get()
    }

    /// Parses a complete JSON text (RFC 8259; strict UTF-8, nesting at most 128 levels deep).
    public init(parsing data: Data) throws(JSONParseError) {
        self = try data.withUnsafeBytes { bytes in
            var parser = JSONParser(bytes: bytes)
            return Result { () throws(JSONParseError) in try parser.parseDocument() }
        }.get()
    }

    /// Parses a complete JSON text (RFC 8259; nesting at most 128 levels deep).
    public init(parsing string: String) throws(JSONParseError) {
        try self.init(parsing: ByteBuffer(string: string))
    }

    /// The value of the last member named `key` when this is an object, else `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.0 == key }?.1
    }

    /// The element at `index` when this is an array and the index is in range, else `nil`.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The string when this is `.string`, else `nil`.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number when this is `.number`, else `nil`.
    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The Boolean when this is `.bool`, else `nil`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The members when this is `.object`, else `nil`.
    public var objectMembers: [(String, JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements when this is `.array`, else `nil`.
    public var arrayElements: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A copy of this object with `key` set to `value`: an existing member keeps its position, a new one is
    /// appended. A non-object is returned unchanged.
    public func setting(_ key: String, to value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.0 == key }) {
            members[index].1 = value
            members = members.enumerated().filter { $0.offset <= index || $0.element.0 != key }.map(\.element)
        } else {
            members.append((key, value))
        }
        return .object(members)
    }
}

extension JSONValue: Equatable {
    /// Structural equality; object members compare by key, whatever their order.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            let left = Dictionary(a, uniquingKeysWith: { _, last in last })
            let right = Dictionary(b, uniquingKeysWith: { _, last in last })
            return left == right
        default: return false
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `nil` is `.null`.
    public init(nilLiteral: ()) { self = .null }
    /// A Boolean literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer literal, stored as a `Double`.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A floating-point literal.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A string literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array literal.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A dictionary literal; members keep the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
}
