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

/// One valid CSV line of a user import, ready to become a ``NewUser``.
public struct ImportRow: Sendable, Equatable {
    /// The physical line the record starts on (1-based; the header is line 1).
    public var line: Int
    /// Sign-in name; the email when the file has no login for this line.
    public var login: String
    /// Email address, valid and unique within the file (ignoring case).
    public var email: String
    /// Display name; the login when the file leaves it empty.
    public var displayName: String
    /// Nickname; the login when the file leaves it empty.
    public var nickname: String
    /// Given name, possibly empty.
    public var firstName: String
    /// Family name, possibly empty.
    public var lastName: String
    /// The password or hash to store.
    public var password: ImportPassword
    /// Preferred language (normalized BCP 47 tag), possibly empty.
    public var locale: String

    /// Creates a row from its fields.
    public init(
        line: Int, login: String, email: String, displayName: String, nickname: String,
        firstName: String, lastName: String, password: ImportPassword, locale: String = ""
    ) {
        self.line = line
        self.login = login
        self.email = email
        self.displayName = displayName
        self.nickname = nickname
        self.firstName = firstName
        self.lastName = lastName
        self.password = password
        self.locale = locale
    }

    /// The creation input for this row: a plain password is hashed with `hasher` at `cost`, an existing
    /// hash is kept verbatim, and no password gives ``PasswordHasher/unusableHash``.
    ///
    /// Throws what ``PasswordHasher/hash(_:cost:)`` throws (an invalid cost).
    public func newUser(hashingWith hasher: PasswordHasher, cost: Int) async throws -> NewUser {
        let passwordHash: String
        switch password {
        case .plain(let plain):
            passwordHash = try await hasher.hash(plain, cost: cost)
        case .hash(let hash):
            passwordHash = hash
        case .none:
            passwordHash = PasswordHasher.unusableHash
        }
        return NewUser(
            login: login, email: email, displayName: displayName, nickname: nickname,
            firstName: firstName, lastName: lastName, passwordHash: passwordHash, locale: locale
        )
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
