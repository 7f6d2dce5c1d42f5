import Foundation

/// A ``UserDirectory`` kept in memory: for tests, examples and hosts without storage.
///
/// Emails are compared after Unicode lowercasing. Identifiers start at 1 and are never reused.
public actor MemoryUserDirectory: UserDirectory {
    private var usersByID: [Int64: User] = [:]
    private var idsByEmail: [String: Int64] = [:]
    private var lastID: Int64 = 0

    /// Creates an empty directory.
    public init() {}

    /// Stores `newUser` with the next identifier and both timestamps set to `date`.
    ///
    /// Throws ``UserDirectoryError/duplicateEmail(_:)`` when another user has the same email ignoring case.
    @discardableResult
    public func add(_ newUser: NewUser, at date: Date = Date()) throws -> User {
        let key = newUser.email.lowercased()
        guard idsByEmail[key] == nil else { throw UserDirectoryError.duplicateEmail(newUser.email) }
        lastID += 1
        let user = User(id: lastID, newUser, createdAt: date)
        usersByID[lastID] = user
        idsByEmail[key] = lastID
        return user
    }

    /// Returns the user with identifier `id`, or `nil`.
    public func user(id: Int64) -> User? {
        usersByID[id]
    }

    /// All users, in identifier order.
    public var allUsers: [User] {
        usersByID.keys.sorted().compactMap { usersByID[$0] }
    }

    /// Returns the user whose email equals `email` ignoring case, or `nil`.
    public func user(byEmail email: String) -> User? {
        idsByEmail[email.lowercased()].flatMap { usersByID[$0] }
    }

    /// Replaces the hash of user `id` and stamps `updatedAt` with `date`; throws ``UserDirectoryError/notFound(userID:)``.
    public func setPasswordHash(_ hash: String, forUserID id: Int64, at date: Date) throws {
        guard var user = usersByID[id] else { throw UserDirectoryError.notFound(userID: id) }
        user.passwordHash = hash
        user.updatedAt = date
        usersByID[id] = user
    }
}
