import Foundation
import PostgresNIO
import ResetPressStorage
import ResetPressUsers

/// Reset codes in PostgreSQL, one row per user, written together with their outbox mail.
///
/// Safe across nodes: `issue` is one upsert on `user_id` (two nodes issuing for the same user
/// at once leave exactly one code, the later one; concurrent issues on one node share a
/// statement, each user at most once), and `claimAttempt` is one conditional
/// `UPDATE ... WHERE attempts < max`, which PostgreSQL re-checks after waiting for the row lock,
/// so concurrent guesses from any number of nodes never pass `maxAttempts`.
public struct PostgresResetCodeStore: ResetCodeStore {
    let client: PostgresClient
    /// Where issues gather into batches.
    let issues: PostgresBatcher<PostgresIssueCommitter.Issue, Int64>
    /// Where the request path's lookups gather into batches.
    let requesters: PostgresBatcher<String, ResetRequester?>

    private static let columns = "id, user_id, email, code_hash, link_hash, created_at, expires_at, attempts, request_ip, cancel_hash, tokens_by_hash"

    // MARK: - Writes

    /// An issue or a delete is one statement, which commits the code change and its effects together
    /// in one round trip; a spend or a revoke, which write only when their code is still there, is one
    /// transaction.
    public func apply(_ change: ResetChange) async throws -> ResetChangeOutcome {
        switch change.codes {
        case .issue(let code):
            return .issued(id: try await issue(code, effects: change.effects))
        case .delete(let id, let userID):
            var write = PostgresCombinedWrite()
            write.add("DELETE FROM reset_codes WHERE id = \(write.bind(id)) AND user_id = \(write.bind(userID))")
            try write.insert(change.effects, now: change.now)
            _ = try await client.rows(write.query(selecting: "SELECT 1"))
            return .applied
        case .spend(let id, let userID, let passwordHash):
            return try await spending(id, userID: userID, change: change) { connection in
                guard let passwordHash else { return }
                let updated = try await connection.rows(
                    "UPDATE users SET password_hash = \(passwordHash), updated_at = \(change.now.databaseSeconds) WHERE id = \(userID) RETURNING id")
                if updated.isEmpty { throw UserDirectoryError.notFound(userID: userID) }
            }
        case .revoke(let id, let userID, let blockUntil):
            return try await spending(id, userID: userID, change: change) { connection in
                _ = try await connection.rows("""
                    INSERT INTO reset_blocks (user_id, until) VALUES (\(userID), \(blockUntil.databaseSeconds))
                    ON CONFLICT (user_id) DO UPDATE SET until = GREATEST(reset_blocks.until, excluded.until)
                    """)
            }
        }
    }

    public func claimAttempt(
        id: Int64, userID: Int64, maxAttempts: Int, events: @escaping @Sendable (ResetCodeRecord?) -> [ResetEvent]
    ) async throws -> ResetCodeRecord? {
        try await client.transaction { connection in
            let claimed = try await connection.rows("""
                UPDATE reset_codes SET attempts = attempts + 1 WHERE id = \(id) AND user_id = \(userID) AND attempts < \(maxAttempts)
                RETURNING \(unescaped: Self.columns)
                """).first.map(Self.record(from:))
            if claimed == nil {
                _ = try await connection.rows("DELETE FROM reset_codes WHERE id = \(id) AND user_id = \(userID) AND attempts >= \(maxAttempts)")
            }
            try await PostgresEventStore.insert(events(claimed), on: connection)
            return claimed
        }
    }

    public func deleteExpired(now: Date) async throws -> Int {
        let deleted = try await client.rows("DELETE FROM reset_codes WHERE expires_at < \(now.databaseSeconds) RETURNING id").count
        _ = try await client.rows("DELETE FROM reset_blocks WHERE until < \(now.databaseSeconds)")
        return deleted
    }

    // MARK: - Reads

    public func current(email: String) async throws -> ResetCodeRecord? {
        try await fetchOne("""
            SELECT \(unescaped: Self.columns) FROM reset_codes WHERE email = \(email) ORDER BY created_at DESC, id DESC LIMIT 1
            """)
    }

    public func current(userID: Int64) async throws -> ResetCodeRecord? {
        try await fetchOne("SELECT \(unescaped: Self.columns) FROM reset_codes WHERE user_id = \(userID)")
    }

    /// Through the partial unique index of the hashes of `tokens_by_hash` codes (migration v17).
    public func current(linkHash: Data) async throws -> ResetCodeRecord? {
        try await fetchOne("SELECT \(unescaped: Self.columns) FROM reset_codes WHERE link_hash = \(linkHash) AND tokens_by_hash = 1")
    }

    public func current(cancelHash: Data) async throws -> ResetCodeRecord? {
        try await fetchOne("SELECT \(unescaped: Self.columns) FROM reset_codes WHERE cancel_hash = \(cancelHash) AND tokens_by_hash = 1")
    }

    /// One prepared statement, shared by the lookups made at the same time (``PostgresRequesterLookup``).
    public func requester(email: String) async throws -> ResetRequester? {
        try await requesters.run(email)
    }

    public func deleteUser(_ userID: Int64) async throws -> Bool {
        try await client.transaction { connection in
            for table in ["events", "outbox", "reset_codes", "reset_blocks", "bulk_reset_sent"] {
                var binds = PostgresBindings()
                binds.append(userID)
                _ = try await connection.rows(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE user_id = $1", binds: binds))
            }
            return try await !connection.rows("DELETE FROM users WHERE id = \(userID) RETURNING id").isEmpty
        }
    }

    public func liftBlock(userID: Int64) async throws -> Bool {
        try await !client.rows("DELETE FROM reset_blocks WHERE user_id = \(userID) RETURNING user_id").isEmpty
    }

    public func blockedUntil(userID: Int64) async throws -> Date? {
        let rows = try await client.rows("SELECT until FROM reset_blocks WHERE user_id = \(userID)")
        return try rows.first.map { Date(timeIntervalSince1970: try $0.decode(Double.self)) }
    }

    public func lastIssued(userID: Int64) async throws -> Date? {
        let rows = try await client.rows("SELECT created_at FROM reset_codes WHERE user_id = \(userID)")
        return try rows.first.map { Date(timeIntervalSince1970: try $0.decode(Double.self)) }
    }

    public func count() async throws -> Int {
        try await client.rows("SELECT COUNT(*) FROM reset_codes").first?.decode(Int.self) ?? 0
    }

    public func latestExpiry(issuedBefore date: Date) async throws -> Date? {
        try await client.rows("SELECT MAX(expires_at) FROM reset_codes WHERE created_at < \(date.databaseSeconds)")
            .first?.decode(Double?.self).map(Date.init(timeIntervalSince1970:))
    }

    // MARK: - Rows

    /// The code's upsert and its effects in one prepared statement, batched with concurrent issues
    /// (``PostgresIssueCommitter``).
    private func issue(_ code: NewResetCode, effects: ResetEffects) async throws -> Int64 {
        try await mappingUniqueViolations(Self.duplicateName) { try await issues.run(PostgresIssueCommitter.Issue(code: code, effects: effects)) }
    }

    /// In one transaction: if code `id` is still user `userID`'s code, deletes it, runs `also` and
    /// applies `change`'s effects; `.codeGone`, writing nothing, when it is not.
    private func spending(
        _ id: Int64, userID: Int64, change: ResetChange, also: @escaping @Sendable (PostgresConnection) async throws -> Void
    ) async throws -> ResetChangeOutcome {
        try await client.transaction { connection in
            guard try await !connection.rows("DELETE FROM reset_codes WHERE id = \(id) AND user_id = \(userID) RETURNING id").isEmpty else {
                return .codeGone
            }
            try await also(connection)
            var write = PostgresCombinedWrite()
            try write.insert(change.effects, now: change.now)
            if !write.isEmpty { _ = try await connection.rows(write.query(selecting: "SELECT 1")) }
            return .applied
        }
    }

    private func fetchOne(_ query: PostgresQuery) async throws -> ResetCodeRecord? {
        try await client.rows(query).first.map(Self.record(from:))
    }

    private static func record(from row: PostgresRow) throws -> ResetCodeRecord {
        let (id, userID, email, codeHash, linkHash, createdAt, expiresAt, attempts, requestIP, cancelHash, tokensByHash) =
            try row.decode((Int64, Int64, String, Data, Data, Double, Double, Int, String, Data?, Int).self)
        let issued = NewResetCode(
            userID: userID, email: email, codeHash: codeHash, linkHash: linkHash, createdAt: Date(timeIntervalSince1970: createdAt),
            expiresAt: Date(timeIntervalSince1970: expiresAt), requestIP: requestIP, cancelHash: cancelHash, tokensByHash: tokensByHash == 1)
        return ResetCodeRecord(id: id, issued: issued, attempts: attempts)
    }

    /// The duplicate a unique constraint of `reset_codes` names, for ``StorageError/duplicate(_:)``.
    private static func duplicateName(_ constraint: String) -> String? {
        switch constraint {
        case "reset_codes_link_hash_key": "A reset code with this link token"
        case "reset_codes_cancel_hash_key": "A reset code with this cancel token"
        default: nil
        }
    }
}
