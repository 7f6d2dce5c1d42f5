/// Why a string could not become a ``MailAddress``.
public enum MailAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The email part fails ``EmailAddressValidator``.
    case invalidEmail(String)
    /// The text is not `a@b.c` or `Name <a@b.c>` (unbalanced brackets or quotes).
    case malformed(String)

    /// A message that says what was wrong, with control characters escaped.
    public var description: String {
        switch self {
        case .invalidEmail(let value):
            "Invalid email address \(value.debugDescription): expected local@domain.tld without spaces or brackets."
        case .malformed(let value):
            "Malformed address \(value.debugDescription): expected a@b.c or Name <a@b.c>."
        }
    }
}
