/// A parsed template: literal text and placeholders, ready to render any number of times.
///
/// Placeholder forms (names are letters, digits, `_`, `.` and `-`, matched case-insensitively; spaces and
/// tabs are allowed inside the delimiters):
/// - `{{ NAME }}` and `<<NAME>>`: escaped — HTML-escaped when rendering HTML, inserted as is in text;
/// - `{* name *}`: raw — never escaped.
///
/// Anything that does not parse as a placeholder (`{{ }}`, `<<not a name>>`, a lone `{{`, `a << b`) is literal
/// text. Rendering is one pass: an inserted value is never scanned for placeholders, and a placeholder whose
/// variable is missing is left exactly as written in the source.
public struct Template: Sendable, Hashable {
    /// A byte range of the source: literal text, or a placeholder whose variable is `keys[slot]`.
    struct Piece: Sendable {
        /// The slot value of literal text.
        static let literal = -1

        let start: Int
        let end: Int
        /// The index into `keys`, or `Piece.literal`.
        let slot: Int
        /// Whether the value is HTML-escaped in HTML output.
        let escaped: Bool

        /// A piece of literal text covering `range`.
        static func literal(_ range: Range<Int>) -> Piece {
            Piece(start: range.lowerBound, end: range.upperBound, slot: literal, escaped: false)
        }
    }

    /// The text the template was parsed from.
    public let source: String
    /// The UTF-8 bytes of `source`, which every piece indexes.
    let bytes: [UInt8]
    /// The pieces in source order; adjacent literal text is one piece.
    let pieces: [Piece]
    /// The canonical variable names, one per slot, in order of first use.
    let keys: [String]
    /// The placeholder names as written, upper-cased, unique, in order of first use.
    public let placeholderNames: [String]

    /// Parses `source`; parsing never fails, since anything that is not a placeholder is literal text.
    public init(_ source: String) {
        self.source = source
        self.bytes = Array(source.utf8)
        let parsed = TemplateParser.parse(bytes)
        self.pieces = parsed.pieces
        self.keys = parsed.keys
        self.placeholderNames = parsed.names
    }

    /// The placeholder names (as in `placeholderNames`) whose variable is not in `known`; `known` matches
    /// case-insensitively and through aliases, so `FIST_NAME` is known when `FIRST_NAME` is.
    public func unknownPlaceholders(known: Set<String>) -> [String] {
        let knownKeys = Set(known.map(TemplateVariables.canonicalName))
        return placeholderNames.filter { !knownKeys.contains(TemplateVariables.canonicalName($0)) }
    }

    /// Whether any placeholder refers to the variable `name` (in any case or alias spelling).
    public func usesVariable(_ name: String) -> Bool {
        keys.contains(TemplateVariables.canonicalName(name))
    }

    /// Renders in one pass: each placeholder becomes its variable's value (HTML-escaped for escaped forms when
    /// `output` is `.html`), or stays as written when the variable is missing. Values are never re-scanned.
    public func render(_ variables: TemplateVariables, as output: TemplateOutput) -> String {
        if keys.isEmpty { return source }
        let values = keys.map { variables.value(canonical: $0) }
        let escapeHTML = output == .html
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 2 + 64)
        bytes.withUnsafeBufferPointer { source in
            for piece in pieces {
                guard piece.slot != Piece.literal, let value = values[piece.slot] else {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: source[piece.start..<piece.end]))
                    continue
                }
                if escapeHTML && piece.escaped {
                    HTMLEscaping.appendEscaped(value, to: &out)
                } else {
                    out.append(contentsOf: value.utf8)
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Renders as text for a mail subject: each run of CR and LF becomes one space, and surrounding spaces and
    /// tabs are trimmed, so no value can start a new header line.
    public func renderSubject(_ variables: TemplateVariables) -> String {
        Self.singleLine(render(variables, as: .text))
    }

    /// `text` with each run of CR/LF replaced by one space and surrounding spaces and tabs removed.
    static func singleLine(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var inBreak = false
        for byte in text.utf8 {
            if byte == 0x0D || byte == 0x0A {
                if !inBreak { out.append(0x20) }
                inBreak = true
            } else {
                out.append(byte)
                inBreak = false
            }
        }
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = out.firstIndex(where: { !isBlank($0) }),
              let last = out.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(decoding: out[first...last], as: UTF8.self)
    }

    /// Two templates are equal when their sources are.
    public static func == (lhs: Template, rhs: Template) -> Bool {
        lhs.source == rhs.source
    }

    /// Hashes the source.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
    }
}
