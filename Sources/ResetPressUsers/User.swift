import Foundation

/// A person who can sign in and reset a password.
///
/// `email` is unique ignoring case. `passwordHash` is an opaque string understood by
/// ``PasswordHasher`` (see ``PasswordHashFormat``); ``PasswordHasher/unusableHash`` means "no password
/// set yet": nothing verifies against it, so the user has to reset the password first.
public struct User: Codable, Sendable, Equatable {
    /// Storage identifier; `nil` until the user has been stored.
    public var id: Int64?
    /// Sign-in name (WordPress `user_login`).
    public var login: String
    /// Email address, unique ignoring case.
    public var email: String
    /// Name shown to other people (WordPress `display_name`).
    public var displayName: String
    /// Informal name (WordPress `nickname`).
    public var nickname: String
    /// Given name; empty when unknown.
    public var firstName: String
    /// Family name; empty when unknown.
    public var lastName: String
    /// Password hash in one of the formats ``PasswordHashFormat`` recognises, or ``PasswordHasher/unusableHash``.
    public var passwordHash: String
    /// When the user was created.
    public var createdAt: Date
    /// When the user was last changed (including a password change).
    public var updatedAt: Date
    /// Preferred language as a BCP 47 tag (`fr`, `fr-CA`); empty when none.
    public var locale: String

    /// Creates a user from all of its fields.
    public init(
        id: Int64?,
        login: String,
        email: String,
        displayName: String,
        nickname: String,
        firstName: String,
        lastName: String,
        passwordHash: String,
        createdAt: Date,
        updatedAt: Date,
        locale: String = ""
    ) {
        self.id = id
        self.login = login
        self.email = email
        self.displayName = displayName
        self.nickname = nickname
        self.firstName = firstName
        self.lastName = lastName
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.locale = locale
    }

    /// Creates a stored user from creation input, with both timestamps set to `date`.
    public init(id: Int64?, _ newUser: NewUser, createdAt date: Date) {
        self.init(
            id: id,
            login: newUser.login,
            email: newUser.email,
            displayName: newUser.displayName,
            nickname: newUser.nickname,
            firstName: newUser.firstName,
            lastName: newUser.lastName,
            passwordHash: newUser.passwordHash,
            createdAt: date,
            updatedAt: date,
            locale: newUser.locale
        )
    }
}

/// The input for creating a user: every field of ``User`` but the identifier and timestamps.
public struct NewUser: Codable, Sendable, Equatable {
    /// Sign-in name.
    public var login: String
    /// Email address, unique ignoring case.
    public var email: String
    /// Name shown to other people.
    public var displayName: String
    /// Informal name.
    public var nickname: String
    /// Given name; empty when unknown.
    public var firstName: String
    /// Family name; empty when unknown.
    public var lastName: String
    /// Password hash (never a plain password), or ``PasswordHasher/unusableHash``.
    public var passwordHash: String
    /// Preferred language as a BCP 47 tag; empty when none.
    public var locale: String

    /// Creates creation input; names default to empty and the hash to ``PasswordHasher/unusableHash``.
    public init(
        login: String,
        email: String,
        displayName: String = "",
        nickname: String = "",
        firstName: String = "",
        lastName: String = "",
        passwordHash: String = PasswordHasher.unusableHash,
        locale: String = ""
    ) {
        self.login = login
        self.email = email
        self.displayName = displayName
        self.nickname = nickname
        self.firstName = firstName
        self.lastName = lastName
        self.passwordHash = passwordHash
        self.locale = locale
    }
}
