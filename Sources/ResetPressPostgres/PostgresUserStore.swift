import Foundation
import PostgresNIO
import ResetPressStorage
import ResetPressUsers

/// The users ResetPress keeps in PostgreSQL; emails and logins are unique ignoring case
/// (unique indexes on `lower(email)` and `lower(login)`, which the lookups use).
public struct PostgresUserStore: UserStore {
    let client: PostgresClient

    static let columns = "id, login, email, display_name, nickname, first_name, last_name, password_hash, created_at, updated_at, locale"

    // MARK: - Reads

    public func user(byEmail email: String) async throws -> User? {
        try await fetchOne("SELECT \(unescaped: Self.columns) FROM users WHERE lower(email) = lower(\(email))")
    }

    public func user(byLogin login: String) async throws -> User? {
        try await fetchOne("SELECT \(unescaped: Self.columns) FROM users WHERE lower(login) = lower(\(login))")
    }

    public func user(id: Int64) async throws -> User? {
        try await fetchOne("SELECT \(unescaped: Self.columns) FROM users WHERE id = \(id)")
    }

    public func list(offset: Int, limit: Int) async throws -> [User] {
        try await client.rows("SELECT \(unescaped: Self.columns) FROM users ORDER BY id LIMIT \(max(0, limit)) OFFSET \(max(0, offset))")
            .map(Self.user(from:))
    }

    public func count() async throws -> Int {
        try await client.rows("SELECT COUNT(*) FROM users").first?.decode(Int.self) ?? 0
    }

    public func search(_ prefix: String, offset: Int, limit: Int) async throws -> [User] {
        guard !prefix.isEmpty else { return try await list(offset: offset, limit: limit) }
        let pattern = Self.likePattern(prefix.lowercased())
        return try await client.rows("""
            SELECT \(unescaped: Self.columns) FROM users WHERE lower(email) LIKE \(pattern) ESCAPE '\\' OR lower(login) LIKE \(pattern) ESCAPE '\\'
            ORDER BY id LIMIT \(max(0, limit)) OFFSET \(max(0, offset))
            """).map(Self.user(from:))
    }

    // MARK: - Writes

    public func add(_ user: NewUser, now: Date) async throws -> User {
        let rows = try await Self.mappingDuplicates(of: user) {
            try await client.rows("""
                INSERT INTO users (login, email, display_name, nickname, first_name, last_name, password_hash, created_at, updated_at, locale)
                VALUES (\(user.login), \(user.email), \(user.displayName), \(user.nickname), \(user.firstName), \(user.lastName),
                        \(user.passwordHash), \(now.databaseSeconds), \(now.databaseSeconds), \(user.locale))
                RETURNING id
                """)
        }
        guard let id = try rows.first?.decode(Int64.self) else {
            throw PostgresStorageError.unreadableRow("INSERT INTO users returned no id.")
        }
        return User(id: id, user, createdAt: now)
    }

    /// One statement per user inside one transaction: an upsert on `lower(email)` that rewrites the
    /// row only when a field differs, and reports whether it inserted.
    public func upsert(_ users: [NewUser], now: Date) async throws -> (added: Int, updated: Int) {
        guard !users.isEmpty else { return (0, 0) }
        return try await client.transaction { connection in
            var added = 0
            for user in users {
                let rows = try await Self.mappingDuplicates(of: user) {
                    try await connection.rows("""
                        INSERT INTO users AS u (login, email, display_name, nickname, first_name, last_name, password_hash, created_at, updated_at, locale)
                        VALUES (\(user.login), \(user.email), \(user.displayName), \(user.nickname), \(user.firstName), \(user.lastName),
                                \(user.passwordHash), \(now.databaseSeconds), \(now.databaseSeconds), \(user.locale))
                        ON CONFLICT ((lower(email))) DO UPDATE SET
                            login = excluded.login, email = excluded.email, display_name = excluded.display_name,
                            nickname = excluded.nickname, first_name = excluded.first_name, last_name = excluded.last_name,
                            password_hash = excluded.password_hash, locale = excluded.locale, updated_at = excluded.updated_at
                        WHERE (u.login, u.email, u.display_name, u.nickname, u.first_name, u.last_name, u.password_hash, u.locale)
                            IS DISTINCT FROM (excluded.login, excluded.email, excluded.display_name, excluded.nickname,
                                              excluded.first_name, excluded.last_name, excluded.password_hash, excluded.locale)
                        RETURNING (xmax = 0) AS inserted
                        """)
                }
                if try rows.first?.decode(Bool.self) == true { added += 1 }
            }
            return (added, users.count - added)
        }
    }

    public func setPasswordHash(_ hash: String, forUserID id: Int64, at date: Date) async throws {
        let rows = try await client.rows(
            "UPDATE users SET password_hash = \(hash), updated_at = \(date.databaseSeconds) WHERE id = \(id) RETURNING id")
        if rows.isEmpty { throw UserDirectoryError.notFound(userID: id) }
    }

    // MARK: - Rows

    private func fetchOne(_ query: PostgresQuery) async throws -> User? {
        try await client.rows(query).first.map(Self.user(from:))
    }

    private static func user(from row: PostgresRow) throws -> User {
        try user(from: Array(row))
    }

    /// A user from the first cells of a row that starts with ``columns``, in their order.
    static func user(from cells: [PostgresCell]) throws -> User {
        User(
            id: try cells[0].decode(Int64.self),
            NewUser(
                login: try cells[1].decode(String.self), email: try cells[2].decode(String.self), displayName: try cells[3].decode(String.self),
                nickname: try cells[4].decode(String.self), firstName: try cells[5].decode(String.self), lastName: try cells[6].decode(String.self),
                passwordHash: try cells[7].decode(String.self), locale: try cells[10].decode(String.self)),
            createdAt: Date(timeIntervalSince1970: try cells[8].decode(Double.self)),
            updatedAt: Date(timeIntervalSince1970: try cells[9].decode(Double.self)))
    }

    private static func mappingDuplicates<T>(of user: NewUser, _ body: () async throws -> T) async throws -> T {
        try await mappingUniqueViolations({ constraint in
            switch constraint {
            case "users_email_lower_key": "A user with email \(user.email)"
            case "users_login_lower_key": "A user with login \(user.login)"
            default: nil
            }
        }, body)
    }
}
