import Foundation
import ResetPressUsers
import Synchronization

/// A ``UserStore`` in this process's memory: for tests, examples and hosts without storage.
///
/// Emails and logins are unique ignoring case (Unicode lowercasing). Ids start at 1 and are never
/// reused. Every write takes its time from the caller. A `Mutex`-guarded class rather than an actor so that ``MemoryResetCodeStore`` can set a hash
/// while it holds its own lock. Lookups scan every user: meant for small tables.
public final class MemoryUserStore: UserStore {
    /// The users by id and the last id given out.
    struct Table {
        var users: [Int64: User] = [:]
        var lastID: Int64 = 0

        /// The user whose email equals `email` ignoring case.
        func user(byEmail email: String) -> User? {
            let key = email.lowercased()
            return users.values.first { $0.email.lowercased() == key }
        }

        /// The user whose login equals `login` ignoring case.
        func user(byLogin login: String) -> User? {
            let key = login.lowercased()
            return users.values.first { $0.login.lowercased() == key }
        }

        /// Stores `user` under the next id; throws `StorageError.duplicate` for a taken email or login.
        mutating func add(_ user: NewUser, now: Date) throws -> User {
            if self.user(byEmail: user.email) != nil { throw StorageError.duplicate("A user with email \(user.email)") }
            if self.user(byLogin: user.login) != nil { throw StorageError.duplicate("A user with login \(user.login)") }
            lastID += 1
            let stored = User(id: lastID, user, createdAt: now)
            users[lastID] = stored
            return stored
        }

        /// Replaces the hash of user `id`; throws `UserDirectoryError.notFound` when there is none.
        mutating func setPasswordHash(_ hash: String, forUserID id: Int64, now: Date) throws {
            guard users[id] != nil else { throw UserDirectoryError.notFound(userID: id) }
            users[id]?.passwordHash = hash
            users[id]?.updatedAt = now
        }
    }

    let table = Mutex(Table())

    /// An empty store.
    public init() {}

    // MARK: - Reads

    public func user(byEmail email: String) async throws -> User? {
        table.withLock { $0.user(byEmail: email) }
    }

    public func user(byLogin login: String) async throws -> User? {
        table.withLock { $0.user(byLogin: login) }
    }

    public func user(id: Int64) async throws -> User? {
        table.withLock { $0.users[id] }
    }

    public func list(offset: Int, limit: Int) async throws -> [User] {
        table.withLock { table in
            Array(table.users.values.sorted { $0.id ?? 0 < $1.id ?? 0 }.dropFirst(max(0, offset)).prefix(max(0, limit)))
        }
    }

    /// Deletes user `id`; false when there was none (the code store deletes a user with their data).
    func remove(id: Int64) -> Bool {
        table.withLock { $0.users.removeValue(forKey: id) != nil }
    }

    public func count() async throws -> Int {
        table.withLock { $0.users.count }
    }

    public func search(_ prefix: String, offset: Int, limit: Int) async throws -> [User] {
        let lowered = prefix.lowercased()
        return table.withLock { table in
            Array(table.users.values.filter { lowered.isEmpty || $0.email.lowercased().hasPrefix(lowered) || $0.login.lowercased().hasPrefix(lowered) }
                .sorted { $0.id ?? 0 < $1.id ?? 0 }.dropFirst(max(0, offset)).prefix(max(0, limit)))
        }
    }

    // MARK: - Writes

    public func add(_ user: NewUser, now: Date) async throws -> User {
        try table.withLock { try $0.add(user, now: now) }
    }

    /// Works on a copy of the table and keeps it only when every user was written.
    public func upsert(_ users: [NewUser], now: Date) async throws -> (added: Int, updated: Int) {
        try table.withLock { table in
            var copy = table
            var added = 0
            for user in users {
                guard let existing = copy.user(byEmail: user.email), let id = existing.id else {
                    _ = try copy.add(user, now: now)
                    added += 1
                    continue
                }
                if let owner = copy.user(byLogin: user.login), owner.id != id {
                    throw StorageError.duplicate("A user with login \(user.login)")
                }
                if existing.profile != user {
                    var changed = User(id: id, user, createdAt: existing.createdAt)
                    changed.updatedAt = now
                    copy.users[id] = changed
                }
            }
            table = copy
            return (added, users.count - added)
        }
    }

    public func setPasswordHash(_ hash: String, forUserID id: Int64, at date: Date) async throws {
        try table.withLock { try $0.setPasswordHash(hash, forUserID: id, now: date) }
    }
}
