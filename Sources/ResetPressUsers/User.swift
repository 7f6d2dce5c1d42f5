import Foundation

/// A person who can sign in and reset a password.
///
/// `email` is unique ignoring case. `passwordHash` is an opaque string understood by
/// ``PasswordHasher`` (see ``PasswordHashFormat``); ``PasswordHasher/unusableHash`` means "no password
/// set yet": nothing verifies against it, so the user has to reset the password first.
@dynamicMemberLookup
public struct User: Codable, Sendable, Equatable {
    /// Storage identifier; `nil` until the user has been stored.
    public var id: Int64?
    /// The account's fields (login, email, names, password hash, locale), read and written directly
    /// (`user.email`).
    public var profile: NewUser
    /// When the user was created.
    public var createdAt: Date
    /// When the user was last changed (including a password change).
    public var updatedAt: Date

    /// A user of `profile`, created at `createdAt` and last changed at `updatedAt` (by default the same).
    public init(id: Int64?, _ profile: NewUser, createdAt: Date, updatedAt: Date? = nil) {
        self.id = id
        self.profile = profile
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    @inlinable public subscript<Value>(dynamicMember field: WritableKeyPath<NewUser, Value>) -> Value {
        get { profile[keyPath: field] }
        set { profile[keyPath: field] = newValue }
    }
}

/// The input for creating a user, and a stored user's ``User/profile``: every field but the
/// identifier and timestamps.
public struct NewUser: Codable, Sendable, Equatable {
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
    /// Password hash in one of the formats ``PasswordHashFormat`` recognises (never a plain password),
    /// or ``PasswordHasher/unusableHash``.
    public var passwordHash: String
    /// Preferred language as a BCP 47 tag (`fr`, `fr-CA`); empty when none.
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
