/// The request's parameters by exact (case-sensitive) name: the query string merged with the body.
///
/// Built by `RequestParameters.parse(request:body:limit:)`; routes read `parameters["email"]`.
public struct RequestParameters: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// Most parameters one request may carry (query and body together); more is `.malformed`.
    public static let maxCount = 1_000

    /// The parameters as a dictionary.
    public private(set) var values: [String: String]

    /// Parameters from an existing dictionary.
    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// Parameters from a literal; a repeated key keeps the last value.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.values = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    /// The value for exactly `name`, or `nil`.
    public subscript(name: String) -> String? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// The value of the first of `names` that is present (e.g. `["AUTH_KEY", "AUTH_CODE"]`).
    public func first(of names: [String]) -> String? {
        for name in names {
            if let value = values[name] { return value }
        }
        return nil
    }

    /// Whether `name` is present (possibly with an empty value).
    public func contains(_ name: String) -> Bool {
        values[name] != nil
    }

    /// The parameter names, sorted.
    public var names: [String] { values.keys.sorted() }

    /// Number of parameters.
    public var count: Int { values.count }

    /// Whether there are no parameters.
    public var isEmpty: Bool { values.isEmpty }

    /// A copy without the given names: what hook contexts see once passwords and codes are removed.
    public func removing(_ names: Set<String>) -> RequestParameters {
        RequestParameters(values.filter { !names.contains($0.key) })
    }

    /// Iterates name/value pairs in name order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        values.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }.makeIterator()
    }

    /// Adds `pairs` in order (a later pair replaces an earlier value), counting toward `maxCount`.
    mutating func merge(_ pairs: [(String, String?)], counted total: inout Int) throws(ParameterError) {
        total += pairs.count
        guard total <= Self.maxCount else {
            throw .malformed(reason: "more than \(Self.maxCount) parameters")
        }
        for (name, value) in pairs {
            if let value { values[name] = value }
        }
    }
}
