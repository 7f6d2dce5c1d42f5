import Foundation
import GRDB
import ResetPressUsers

/// Reset codes in SQLite, one row per user, written together with their outbox mail.
///
/// The request-path writes (issue, claim, consume) go through the group committer: concurrent
/// requests share one commit, each in its own savepoint, and each returns only once committed.
public struct SQLiteResetCodeStore: ResetCodeStore {
    let pool: DatabasePool
    let readers: PointReaders
    let committer: GroupCommitter

    // MARK: - Writes

    public func apply(_ change: ResetChange) async throws -> ResetChangeOutcome {
        var unclaimed = change
        unclaimed.effects.mailClaim = nil
        return try await applyClaimingMail(unclaimed).outcome
    }

    public func applyClaimingMail(_ change: ResetChange) async throws -> (outcome: ResetChangeOutcome, claimedMailID: Int64?) {
        try await committer.write { db in
            let outcome: ResetChangeOutcome
            switch change.codes {
            case .issue(let code):
                outcome = .issued(id: try Self.insert(code, in: db))
            case .spend(let id, let userID, let passwordHash):
                guard try Self.delete(id, ofUser: userID, in: db) else { return (.codeGone, nil) }
                if let passwordHash {
                    try db.cachedStatement(sql: "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
                        .execute(arguments: [passwordHash, change.now.databaseSeconds, userID])
                    if db.changesCount == 0 { throw UserDirectoryError.notFound(userID: userID) }
                }
                outcome = .applied
            case .revoke(let id, let userID, let blockUntil):
                guard try Self.delete(id, ofUser: userID, in: db) else { return (.codeGone, nil) }
                try db.cachedStatement(
                    sql: "INSERT INTO reset_blocks (user_id, until) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET until = max(until, excluded.until)"
                ).execute(arguments: [userID, blockUntil.databaseSeconds])
                outcome = .applied
            case .delete(let id, let userID):
                _ = try Self.delete(id, ofUser: userID, in: db)
                outcome = .applied
            }
            let effects = change.effects
            let mailID = try effects.mail.map { try SQLiteMailOutbox.insert($0, now: change.now, claim: effects.mailClaim, in: db) }
            for webhook in effects.webhooks { _ = try SQLiteWebhookQueue.insert(webhook, now: change.now, in: db) }
            try SQLiteEventStore.insert(effects.events, in: db)
            return (outcome, effects.mailClaim == nil ? nil : mailID)
        }
    }

    public func claimAttempt(
        id: Int64, userID: Int64, maxAttempts: Int, events: @escaping @Sendable (ResetCodeRecord?) -> [ResetEvent]
    ) async throws -> ResetCodeRecord? {
        try await committer.write { db in
            let claimed = try Row.fetchOne(
                db.cachedStatement(sql: "UPDATE reset_codes SET attempts = attempts + 1 WHERE user_id = ? AND id = ? AND attempts < ? RETURNING *"),
                arguments: [userID, id, maxAttempts]
            ).map(Self.record(from:))
            if claimed == nil {
                try db.execute(sql: "DELETE FROM reset_codes WHERE user_id = ? AND id = ? AND attempts >= ?", arguments: [userID, id, maxAttempts])
            }
            try SQLiteEventStore.insert(events(claimed), in: db)
            return claimed
        }
    }

    public func deleteExpired(now: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM reset_codes WHERE expires_at < ?", arguments: [now.databaseSeconds])
            let deleted = db.changesCount
            try db.execute(sql: "DELETE FROM reset_blocks WHERE until < ?", arguments: [now.databaseSeconds])
            return deleted
        }
    }

    // MARK: - Reads

    public func current(email: String) async throws -> ResetCodeRecord? {
        try await fetchOne(where: "email = ?", email)
    }

    public func current(userID: Int64) async throws -> ResetCodeRecord? {
        try await fetchOne(where: "user_id = ?", userID)
    }

    /// Through the partial index of the hashes of `tokens_by_hash` codes (migration v19).
    public func current(linkHash: Data) async throws -> ResetCodeRecord? {
        try await fetchOne(where: "link_hash = ? AND tokens_by_hash = 1", linkHash)
    }

    public func current(cancelHash: Data) async throws -> ResetCodeRecord? {
        try await fetchOne(where: "cancel_hash = ? AND tokens_by_hash = 1", cancelHash)
    }

    /// The user of an email with their block and current code's time (built once: it runs for every request).
    private static let requesterLookup = HotStatement("""
        SELECT \(SQLiteUserStore.qualifiedColumns), b.until AS blocked_until, c.created_at AS code_created_at
        FROM users LEFT JOIN reset_blocks b ON b.user_id = users.id LEFT JOIN reset_codes c ON c.user_id = users.id
        WHERE users.email = ?
        """)

    /// Synchronous, like the user lookup it extends: one indexed read with two joins.
    public func requester(email: String) async throws -> ResetRequester? {
        try readers.read { db in
            try db.withStatement(Self.requesterLookup) { statement in
                try statement.readFirst(arguments: [email]) { row in
                    ResetRequester(
                        user: try SQLiteUserStore.user(from: row), blockedUntil: try row.optionalDate(at: SQLiteUserStore.columnCount),
                        lastIssued: try row.optionalDate(at: SQLiteUserStore.columnCount + 1))
                }
            }
        }
    }

    public func deleteUser(_ userID: Int64) async throws -> Bool {
        try await pool.write { db in
            for table in ["events", "outbox", "reset_codes", "reset_blocks", "bulk_reset_sent"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE user_id = ?", arguments: [userID])
            }
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [userID])
            return db.changesCount > 0
        }
    }

    public func liftBlock(userID: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM reset_blocks WHERE user_id = ?", arguments: [userID])
            return db.changesCount > 0
        }
    }

    public func blockedUntil(userID: Int64) async throws -> Date? {
        try readers.read { db in
            try Double.fetchOne(db.cachedStatement(sql: "SELECT until FROM reset_blocks WHERE user_id = ?"), arguments: [userID])
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    public func lastIssued(userID: Int64) async throws -> Date? {
        try readers.read { db in
            try Double.fetchOne(db.cachedStatement(sql: "SELECT created_at FROM reset_codes WHERE user_id = ?"), arguments: [userID])
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reset_codes") ?? 0 }
    }

    public func latestExpiry(issuedBefore date: Date) async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(db, sql: "SELECT MAX(expires_at) FROM reset_codes WHERE created_at < ?", arguments: [date.databaseSeconds])
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    // MARK: - Rows

    /// Stores `code` in place of its user's earlier code, in the same row (the table is keyed by
    /// user), under a new random id; returns the id. The id is what tells the new code from the one
    /// it replaced: 53 random bits, so it repeats the replaced one's with a chance of 2^-53.
    ///
    /// The first upsert leaves the email alone, so the email index is not rewritten (SQLite rewrites
    /// an index whose column an update sets, to the same value too); when the stored email differs, it
    /// changes nothing and the second writes the email as well.
    private static func insert(_ code: NewResetCode, in db: Database) throws -> Int64 {
        let id = Int64.random(in: 1..<(1 << 53))
        let arguments: StatementArguments = [
            code.userID, id, code.email, code.codeHash, code.linkHash,
            code.createdAt.databaseSeconds, code.expiresAt.databaseSeconds, code.requestIP, code.cancelHash, code.tokensByHash,
        ]
        try mappingUniqueViolations({ error in
            error.isUniqueViolation("reset_codes.link_hash") ? "A reset code with this link token"
                : error.isUniqueViolation("reset_codes.cancel_hash") ? "A reset code with this cancel token" : nil
        }) {
            try db.withStatement(upsertKeepingEmail) { try $0.execute(arguments: arguments) }
            if db.changesCount == 0 { try db.withStatement(upsert) { try $0.execute(arguments: arguments) } }
        }
        return id
    }

    /// The upsert of a code into its user's row, email included.
    private static let upsert = HotStatement(upsertSQL(sameEmail: false))
    /// The upsert that changes nothing when the user's row holds another email.
    private static let upsertKeepingEmail = HotStatement(upsertSQL(sameEmail: true))

    private static func upsertSQL(sameEmail: Bool) -> String {
        """
        INSERT INTO reset_codes (user_id, id, email, code_hash, link_hash, created_at, expires_at, attempts, request_ip, cancel_hash, tokens_by_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET
            id = excluded.id,\(sameEmail ? "" : " email = excluded.email,") code_hash = excluded.code_hash, link_hash = excluded.link_hash,
            created_at = excluded.created_at, expires_at = excluded.expires_at, attempts = 0,
            request_ip = excluded.request_ip, cancel_hash = excluded.cancel_hash, tokens_by_hash = excluded.tokens_by_hash\(sameEmail ? "\nWHERE reset_codes.email = excluded.email" : "")
        """
    }

    /// Deletes user `userID`'s code if it is still code `id`; false, deleting nothing, when it is not.
    private static func delete(_ id: Int64, ofUser userID: Int64, in db: Database) throws -> Bool {
        try db.cachedStatement(sql: "DELETE FROM reset_codes WHERE user_id = ? AND id = ?").execute(arguments: [userID, id])
        return db.changesCount > 0
    }

    /// Synchronous, like the user lookup: an indexed row costs less than a hop to a reader queue.
    private func fetchOne(where condition: String, _ value: some DatabaseValueConvertible & Sendable) async throws -> ResetCodeRecord? {
        try readers.read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM reset_codes WHERE \(condition) ORDER BY created_at DESC, id DESC LIMIT 1"),
                arguments: [value]
            ).map(Self.record(from:))
        }
    }

    private static func record(from row: Row) throws -> ResetCodeRecord {
        ResetCodeRecord(
            id: try row.decode(forColumn: "id"),
            issued: NewResetCode(
                userID: try row.decode(forColumn: "user_id"), email: try row.decode(forColumn: "email"),
                codeHash: try row.decode(forColumn: "code_hash"), linkHash: try row.decode(forColumn: "link_hash"),
                createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"),
                requestIP: try row.decode(forColumn: "request_ip"), cancelHash: try row.decode(forColumn: "cancel_hash"),
                tokensByHash: try row.decode(forColumn: "tokens_by_hash")),
            attempts: try row.decode(forColumn: "attempts"))
    }
}
