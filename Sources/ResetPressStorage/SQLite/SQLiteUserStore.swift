import Foundation
import GRDB
import ResetPressUsers

/// The users ResetPress keeps in its own database; emails and logins are unique ignoring ASCII case.
public struct SQLiteUserStore: UserStore {
    let pool: DatabasePool
    let readers: PointReaders

    private static let columns = "id, login, email, display_name, nickname, first_name, last_name, password_hash, created_at, updated_at, locale"
    /// The same columns named `users.<column>`, for a read that joins other tables.
    static let qualifiedColumns = columns.split(separator: ", ").map { "users.\($0)" }.joined(separator: ", ")
    private static let insertSQL = """
        INSERT INTO users (login, email, display_name, nickname, first_name, last_name, password_hash, locale, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    private static let updateSQL = """
        UPDATE users SET login = ?, email = ?, display_name = ?, nickname = ?, first_name = ?, last_name = ?,
        password_hash = ?, locale = ?, updated_at = ? WHERE id = ?
        """

    // MARK: - Reads

    public func user(byEmail email: String) async throws -> User? {
        try await fetchOne(where: "email = ?", email)
    }

    public func user(byLogin login: String) async throws -> User? {
        try await fetchOne(where: "login = ?", login)
    }

    public func user(id: Int64) async throws -> User? {
        try await fetchOne(where: "id = ?", id)
    }

    public func list(offset: Int, limit: Int) async throws -> [User] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM users ORDER BY id LIMIT ? OFFSET ?", arguments: [max(0, limit), max(0, offset)])
                .map(Self.user(from:))
        }
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0 }
    }

    public func search(_ prefix: String, offset: Int, limit: Int) async throws -> [User] {
        guard !prefix.isEmpty else { return try await list(offset: offset, limit: limit) }
        let pattern = Self.likePattern(prefix)
        return try await pool.read { db in
            // The login and email columns are NOCASE, so each LIKE is a range of its index.
            try Row.fetchAll(
                db, sql: """
                    SELECT \(Self.columns) FROM users WHERE id IN (
                        SELECT id FROM users WHERE email LIKE ? ESCAPE '\\' UNION SELECT id FROM users WHERE login LIKE ? ESCAPE '\\')
                    ORDER BY id LIMIT ? OFFSET ?
                    """,
                arguments: [pattern, pattern, max(0, limit), max(0, offset)]
            ).map(Self.user(from:))
        }
    }

    // MARK: - Writes

    public func add(_ user: NewUser, now: Date) async throws -> User {
        try await pool.write { db in
            try Self.mappingDuplicates(of: user) {
                try db.execute(sql: Self.insertSQL, arguments: Self.arguments(user, createdAt: now))
            }
            return User(id: db.lastInsertedRowID, user, createdAt: now)
        }
    }

    public func upsert(_ users: [NewUser], now: Date) async throws -> (added: Int, updated: Int) {
        try await pool.write { db in
            let select = try db.cachedStatement(sql: "SELECT \(Self.columns) FROM users WHERE email = ?")
            let insert = try db.cachedStatement(sql: Self.insertSQL)
            let update = try db.cachedStatement(sql: Self.updateSQL)
            var added = 0
            var updated = 0
            for user in users {
                try Self.mappingDuplicates(of: user) {
                    if let row = try Row.fetchOne(select, arguments: [user.email]) {
                        let existing = try Self.user(from: row)
                        if existing.profile != user, let id = existing.id {
                            var arguments = Self.fieldArguments(user)
                            arguments += [now.databaseSeconds, id]
                            try update.execute(arguments: arguments)
                        }
                        updated += 1
                    } else {
                        try insert.execute(arguments: Self.arguments(user, createdAt: now))
                        added += 1
                    }
                }
            }
            return (added, updated)
        }
    }

    public func setPasswordHash(_ hash: String, forUserID id: Int64, at date: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", arguments: [hash, date.databaseSeconds, id])
            if db.changesCount == 0 { throw UserDirectoryError.notFound(userID: id) }
        }
    }

    // MARK: - Rows

    /// A synchronous read: one indexed row from the page cache costs less than the hops to
    /// and from a reader queue that the async API makes.
    private func fetchOne(where condition: String, _ value: some DatabaseValueConvertible & Sendable) async throws -> User? {
        try readers.read { db in
            try db.cachedStatement(sql: "SELECT \(Self.columns) FROM users WHERE \(condition)").readFirst(arguments: [value], Self.user(from:))
        }
    }

    /// A user from a row that starts with ``columns`` (or ``qualifiedColumns``), read by position: a lookup
    /// by name lower-cases the name and hashes it, once per column of every row.
    static func user(from row: some PositionalRow) throws -> User {
        User(
            id: try row.value(at: 0),
            NewUser(
                login: try row.value(at: 1), email: try row.value(at: 2),
                displayName: try row.value(at: 3), nickname: try row.value(at: 4),
                firstName: try row.value(at: 5), lastName: try row.value(at: 6),
                passwordHash: try row.value(at: 7), locale: try row.value(at: 10)),
            createdAt: Date(timeIntervalSince1970: try row.value(at: 8)),
            updatedAt: Date(timeIntervalSince1970: try row.value(at: 9)))
    }

    /// The number of ``columns``; a joined read's own columns follow at this index.
    static let columnCount = columns.split(separator: ",").count

    private static func fieldArguments(_ user: NewUser) -> StatementArguments {
        [user.login, user.email, user.displayName, user.nickname, user.firstName, user.lastName, user.passwordHash, user.locale]
    }

    private static func arguments(_ user: NewUser, createdAt date: Date) -> StatementArguments {
        var arguments = fieldArguments(user)
        arguments += [date.databaseSeconds, date.databaseSeconds]
        return arguments
    }

    private static func mappingDuplicates<T>(of user: NewUser, _ body: () throws -> T) throws -> T {
        try mappingUniqueViolations({ error in
            if error.isUniqueViolation("users.email") { return "A user with email \(user.email)" }
            if error.isUniqueViolation("users.login") { return "A user with login \(user.login)" }
            return nil
        }, body)
    }
}
