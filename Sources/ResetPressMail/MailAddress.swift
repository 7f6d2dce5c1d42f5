/// A mailbox: a validated email address and an optional display name.
///
/// The email is checked with ``EmailAddressValidator`` at construction and when decoded, so a `MailAddress`
/// never holds CR, LF or other control characters in its address. The display name is kept as given;
/// ``MIMEWriter`` strips control characters and encodes it when rendering.
public struct MailAddress: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The address as given (`user@example.com`, possibly with a non-ASCII domain).
    public let email: String
    /// The display name, or nil when there is none (an empty or blank name becomes nil).
    public let name: String?

    /// Creates an address, throwing ``MailAddressError/invalidEmail(_:)`` when `email` is not valid.
    public init(email: String, name: String? = nil) throws(MailAddressError) {
        guard EmailAddressValidator.isValid(email) else { throw .invalidEmail(email) }
        self.email = email
        if let name, !name.allSatisfy(\.isWhitespace) {
            self.name = name
        } else {
            self.name = nil
        }
    }

    /// Parses `a@b.c`, `<a@b.c>`, `Name <a@b.c>` or `"Last, First" <a@b.c>` (surrounding whitespace ignored).
    public init(parsing text: String) throws(MailAddressError) {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.hasSuffix(">") else {
            try self.init(email: trimmed)
            return
        }
        guard let open = trimmed.lastIndex(of: "<") else { throw .malformed(text) }
        let email = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        let rawName = trimmed[..<open].trimmingWhitespace()
        try self.init(email: email, name: try Self.unquote(rawName, original: text))
    }

    /// The address with its domain in ASCII (`xn--` labels), as SMTP commands and headers need it.
    public var asciiEmail: String {
        guard let at = atSign else { return email }
        return String(email[..<at]) + "@" + domain
    }

    /// The domain part in ASCII (`xn--` labels).
    public var domain: String {
        guard let at = atSign else { return "" }
        let raw = String(email[email.utf8.index(after: at)...])
        return Punycode.asciiDomain(raw) ?? raw
    }

    /// Where the last `@` is, found by byte (a search by `Character` costs ten times more; `@` is ASCII,
    /// so its byte is always a whole character).
    private var atSign: String.Index? {
        email.utf8.lastIndex(of: UInt8(ascii: "@"))
    }

    /// `Name <email>`, or just the email when there is no name; for logs, not for headers.
    public var description: String {
        guard let name else { return email }
        return "\(name) <\(email)>"
    }

    private enum CodingKeys: String, CodingKey {
        case email
        case name
    }

    /// Decodes and validates; an invalid stored email is a `DecodingError.dataCorrupted`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let email = try container.decode(String.self, forKey: .email)
        let name = try container.decodeIfPresent(String.self, forKey: .name)
        do {
            try self.init(email: email, name: name)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .email, in: container, debugDescription: error.description)
        }
    }

    /// Encodes `email` and, when present, `name`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(email, forKey: .email)
        try container.encodeIfPresent(name, forKey: .name)
    }

    private static func unquote(_ name: String, original: String) throws(MailAddressError) -> String? {
        guard name.hasPrefix("\"") else {
            guard !name.contains("\"") else { throw .malformed(original) }
            return name.isEmpty ? nil : name
        }
        guard name.count >= 2, name.hasSuffix("\"") else { throw .malformed(original) }
        var result = ""
        var escaped = false
        for character in name.dropFirst().dropLast() {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                throw .malformed(original)
            } else {
                result.append(character)
            }
        }
        guard !escaped else { throw .malformed(original) }
        return result
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace and newlines.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
