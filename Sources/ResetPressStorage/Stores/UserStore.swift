import Foundation
import ResetPressUsers

/// The users ResetPress keeps itself (when no host brings its own `UserDirectory`).
public protocol UserStore: UserDirectory {
    /// Adds a user; throws `StorageError.duplicate` when the email (ignoring case) or login is taken.
    func add(_ user: NewUser, now: Date) async throws -> User

    /// Adds or updates users by email (ignoring case) in one transaction, so an import can be
    /// run twice with the same result. Returns how many were added and how many updated
    /// (an update that changes nothing counts as updated). Throws `StorageError.duplicate` when
    /// a login belongs to another email; nothing is written then.
    func upsert(_ users: [NewUser], now: Date) async throws -> (added: Int, updated: Int)

    /// The user with this login (ignoring case), or nil.
    func user(byLogin login: String) async throws -> User?

    /// The user with this id, or nil.
    func user(id: Int64) async throws -> User?

    /// Users ordered by id, `limit` of them after skipping `offset`.
    func list(offset: Int, limit: Int) async throws -> [User]

    /// How many users there are.
    func count() async throws -> Int

    /// Users whose email or login starts with `prefix` (ignoring case; `%` and `_` match only
    /// themselves), ordered by id, `limit` of them after skipping `offset`; an empty prefix lists all.
    func search(_ prefix: String, offset: Int, limit: Int) async throws -> [User]
}

extension UserStore {
    /// `prefix` as a LIKE pattern: its wildcards escaped with `\`, then `%`.
    package static func likePattern(_ prefix: String) -> String {
        prefix.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }
}
