/// The password a CSV line brings for its user.
public enum ImportPassword: Sendable, Equatable {
    /// A plain password, still to be hashed (from the `password` column).
    case plain(String)
    /// An existing hash in a format ``PasswordHashFormat`` recognises, kept as is
    /// (from `password_hash` or a WordPress export's `user_pass`).
    case hash(String)
    /// Neither was given: the user gets ``PasswordHasher/unusableHash`` and must reset the password.
    case none
}

/// One valid CSV line of a user import, ready to become a ``NewUser``: its fields are read directly
/// (`row.email`).
///
/// The login is the email when the file has no login for the line; the display name and nickname
/// are the login when the file leaves them empty; the email is valid and unique within the file
/// (ignoring case); the locale is a normalized BCP 47 tag or empty.
@dynamicMemberLookup
public struct ImportRow: Sendable, Equatable {
    /// The physical line the record starts on (1-based; the header is line 1).
    public var line: Int
    /// The user's fields; the password hash stays ``PasswordHasher/unusableHash`` until
    /// ``newUser(hashingWith:cost:)`` sets it from ``password``.
    public var profile: NewUser
    /// The password or hash to store.
    public var password: ImportPassword

    @inlinable public subscript<Value>(dynamicMember field: KeyPath<NewUser, Value>) -> Value {
        profile[keyPath: field]
    }

    /// The creation input for this row: a plain password is hashed with `hasher` at `cost`, an existing
    /// hash is kept verbatim, and no password gives ``PasswordHasher/unusableHash``.
    ///
    /// Throws what ``PasswordHasher/hash(_:cost:)`` throws (an invalid cost).
    public func newUser(hashingWith hasher: PasswordHasher, cost: Int) async throws -> NewUser {
        var user = profile
        user.passwordHash = switch password {
        case .plain(let plain): try await hasher.hash(plain, cost: cost)
        case .hash(let hash): hash
        case .none: PasswordHasher.unusableHash
        }
        return user
    }
}

/// A CSV line that was skipped, and why.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    /// The physical line the record starts on (1-based; the header is line 1).
    public var line: Int
    /// What is wrong with the line and how to fix it.
    public var message: String

    /// Creates a problem report.
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    /// `line N: message`.
    public var description: String { "line \(line): \(message)" }
}

/// The outcome of parsing a user CSV: the lines to import and the lines skipped.
public struct UserImportResult: Sendable, Equatable {
    /// Valid lines, in file order.
    public var rows: [ImportRow]
    /// One entry per problem found, in file order; a line can have several, and is then not in ``rows``.
    public var problems: [ImportProblem]
    /// Records after the header that were read, blank lines included.
    public var recordCount: Int
}
