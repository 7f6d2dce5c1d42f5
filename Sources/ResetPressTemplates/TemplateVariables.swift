/// The values a template is rendered with: a map from variable name to text whose names match case-insensitively.
///
/// Names are stored in canonical form: upper-cased, with aliases resolved (`FIST_NAME`, the spelling in the
/// Simple JWT Login docs, is `FIRST_NAME`). Setting a name twice in any spelling keeps the last value.
/// Iteration yields `(name, value)` pairs sorted by canonical name.
public struct TemplateVariables: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// Alternative spellings and the canonical name each one stands for (both upper-case).
    public static let aliases: [String: String] = [
        "FIST_NAME": "FIRST_NAME",
    ]

    /// Returns the canonical form of a variable name: upper-cased, then mapped through `aliases`.
    public static func canonicalName(_ name: String) -> String {
        // Names are nearly always upper-case ASCII already; `uppercased()` would copy them through Unicode tables.
        let upper = name.utf8.allSatisfy({ $0 < 0x61 || ($0 > 0x7A && $0 < 0x80) }) ? name : name.uppercased()
        // A scan, not a lookup: the aliases are few, and hashing the name would cost more.
        return aliases.first(where: { $0.key == upper })?.value ?? upper
    }

    /// Values keyed by canonical name.
    private var storage: [String: String]

    /// An empty set of variables.
    public init() {
        storage = [:]
    }

    /// Variables from a dictionary; of two keys with the same canonical name, the one that sorts last wins.
    public init(_ dictionary: [String: String]) {
        storage = [:]
        storage.reserveCapacity(dictionary.count)
        for key in dictionary.keys.sorted() {
            storage[Self.canonicalName(key)] = dictionary[key]
        }
    }

    /// Variables from a literal; of two entries with the same canonical name, the later wins.
    public init(dictionaryLiteral elements: (String, String)...) {
        storage = [:]
        storage.reserveCapacity(elements.count)
        for (name, value) in elements {
            storage[Self.canonicalName(name)] = value
        }
    }

    /// The value for `name` in any case or alias spelling; setting nil removes it.
    public subscript(name: String) -> String? {
        get { storage[Self.canonicalName(name)] }
        set { storage[Self.canonicalName(name)] = newValue }
    }

    /// The value stored under an already canonical name (the render hot path).
    @inline(__always)
    func value(canonical name: String) -> String? {
        storage[name]
    }

    /// These variables with `other`'s added; on a clash `other`'s value wins.
    public func merging(_ other: TemplateVariables) -> TemplateVariables {
        var merged = self
        merged.merge(other)
        return merged
    }

    /// Adds `other`'s variables; on a clash `other`'s value wins.
    public mutating func merge(_ other: TemplateVariables) {
        storage.merge(other.storage) { _, new in new }
    }

    /// The canonical names, sorted.
    public var names: [String] {
        storage.keys.sorted()
    }

    /// The variables as a dictionary keyed by canonical name (for JSON and hooks).
    public var dictionary: [String: String] {
        storage
    }

    /// The number of variables.
    public var count: Int {
        storage.count
    }

    /// Whether there are no variables.
    public var isEmpty: Bool {
        storage.isEmpty
    }

    /// Iterates `(name, value)` pairs sorted by canonical name.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        storage.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }.makeIterator()
    }
}

extension TemplateVariables: Codable {
    /// Decodes a flat JSON object of strings, canonicalizing its names.
    public init(from decoder: any Decoder) throws {
        self.init(try [String: String](from: decoder))
    }

    /// Encodes a flat JSON object keyed by canonical name.
    public func encode(to encoder: any Encoder) throws {
        try storage.encode(to: encoder)
    }
}
