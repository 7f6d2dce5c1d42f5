import Foundation
import ResetPressUsers
import Synchronization

/// A ``ResetCodeStore`` in this process's memory, writing to a ``MemoryMailOutbox``, a
/// ``MemoryWebhookQueue``, a ``MemoryEventStore`` and, for password changes, a ``MemoryUserStore``:
/// for tests, examples and hosts without storage.
///
/// **One transaction.** A write holds this store's lock for its whole length and, while holding
/// it, takes the user table's lock (a change) and then the queues' locks (mail, webhooks); it checks
/// everything that can fail before writing anything, and writes only while it holds every lock it
/// needs. Locks are always taken in that order (codes, users, outbox, webhooks, events) and the other stores take
/// only their own, so no two writers wait on each other, and no reader of the codes, the users or
/// the outbox sees one part of a write without the others.
///
/// Every write takes its times from the code or the caller.
public final class MemoryResetCodeStore: ResetCodeStore {
    /// The codes by id, the last id given out, and the cancel blocks by user id.
    struct Table {
        var codes: [Int64: ResetCodeRecord] = [:]
        var lastID: Int64 = 0
        var blocks: [Int64: Date] = [:]

        /// Throws ``StorageError/duplicate(_:)`` when `code` and another user's code are both
        /// `tokensByHash` and share a link or cancel hash (the databases' partial unique indexes).
        func checkUnique(_ code: NewResetCode) throws {
            guard code.tokensByHash else { return }
            let others = codes.values.filter { $0.userID != code.userID && $0.tokensByHash }
            if others.contains(where: { $0.linkHash == code.linkHash }) {
                throw StorageError.duplicate("A reset code with this link token")
            }
            if let cancelHash = code.cancelHash, others.contains(where: { $0.cancelHash == cancelHash }) {
                throw StorageError.duplicate("A reset code with this cancel token")
            }
        }

        /// The newest code matching `filter`.
        func newest(where filter: (ResetCodeRecord) -> Bool) -> ResetCodeRecord? {
            codes.values.filter(filter).max { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
    }

    private let table = Mutex(Table())
    private let outbox: MemoryMailOutbox
    private let webhooks: MemoryWebhookQueue
    private let users: MemoryUserStore?
    private let events: MemoryEventStore?

    /// A store with no codes, queuing its mail in `outbox` and its webhook deliveries in `webhooks`,
    /// recording events in `events` (nil keeps none) and setting password hashes in `users` (nil when
    /// the users live elsewhere).
    public init(outbox: MemoryMailOutbox, webhooks: MemoryWebhookQueue, users: MemoryUserStore?, events: MemoryEventStore? = nil) {
        self.outbox = outbox
        self.webhooks = webhooks
        self.users = users
        self.events = events
    }

    // MARK: - Writes

    public func apply(_ change: ResetChange) async throws -> ResetChangeOutcome {
        var unclaimed = change
        unclaimed.effects.mailClaim = nil
        return try await applyClaimingMail(unclaimed).outcome
    }

    public func applyClaimingMail(_ change: ResetChange) async throws -> (outcome: ResetChangeOutcome, claimedMailID: Int64?) {
        try table.withLock { table in
            var mailID: Int64?
            switch change.codes {
            case .issue(let code):
                try table.checkUnique(code)
                table.codes = table.codes.filter { $0.value.userID != code.userID }
                table.lastID += 1
                table.codes[table.lastID] = ResetCodeRecord(id: table.lastID, issued: code, attempts: 0)
                mailID = write(change.effects, now: change.now)
                return (.issued(id: table.lastID), mailID)
            case .spend(let id, let userID, let passwordHash):
                guard table.codes[id]?.userID == userID else { return (.codeGone, nil) }
                try settingPasswordHash(passwordHash, userID: userID, now: change.now) { mailID = write(change.effects, now: change.now) }
                table.codes = table.codes.filter { $0.value.userID != userID }
            case .revoke(let id, let userID, let blockUntil):
                guard table.codes[id]?.userID == userID else { return (.codeGone, nil) }
                table.codes = table.codes.filter { $0.value.userID != userID }
                table.blocks[userID] = max(table.blocks[userID] ?? blockUntil, blockUntil)
                mailID = write(change.effects, now: change.now)
            case .delete(let id, let userID):
                if table.codes[id]?.userID == userID { table.codes[id] = nil }
                mailID = write(change.effects, now: change.now)
            }
            return (.applied, mailID)
        }
    }

    public func claimAttempt(
        id: Int64, userID: Int64, maxAttempts: Int, events new: @escaping @Sendable (ResetCodeRecord?) -> [ResetEvent]
    ) async throws -> ResetCodeRecord? {
        table.withLock { table in
            var claimed: ResetCodeRecord?
            if let record = table.codes[id], record.userID == userID {
                if record.attempts < maxAttempts {
                    table.codes[id]?.attempts += 1
                    claimed = table.codes[id]
                } else {
                    table.codes[id] = nil
                }
            }
            events?.append(new(claimed))
            return claimed
        }
    }

    public func deleteExpired(now: Date) async throws -> Int {
        table.withLock { table in
            let before = table.codes.count
            table.codes = table.codes.filter { $0.value.expiresAt >= now }
            table.blocks = table.blocks.filter { $0.value >= now }
            return before - table.codes.count
        }
    }

    // MARK: - Reads

    public func current(email: String) async throws -> ResetCodeRecord? {
        table.withLock { $0.newest { $0.email == email } }
    }

    public func current(userID: Int64) async throws -> ResetCodeRecord? {
        table.withLock { $0.newest { $0.userID == userID } }
    }

    public func current(linkHash: Data) async throws -> ResetCodeRecord? {
        table.withLock { $0.newest { $0.tokensByHash && $0.linkHash == linkHash } }
    }

    public func current(cancelHash: Data) async throws -> ResetCodeRecord? {
        table.withLock { $0.newest { $0.tokensByHash && $0.cancelHash == cancelHash } }
    }

    /// Reads the codes, then the user table (the lock order); nil as well when there is no user table.
    public func requester(email: String) async throws -> ResetRequester? {
        table.withLock { table in
            guard let user = users?.table.withLock({ $0.user(byEmail: email) }), let id = user.id else { return nil }
            return ResetRequester(user: user, blockedUntil: table.blocks[id], lastIssued: table.newest { $0.userID == id }?.createdAt)
        }
    }

    public func deleteUser(_ userID: Int64) async throws -> Bool {
        table.withLock { table in
            table.codes = table.codes.filter { $0.value.userID != userID }
            table.blocks[userID] = nil
            outbox.removeAll(userID: userID)
            events?.removeAll(userID: userID)
            return users?.remove(id: userID) ?? false
        }
    }

    public func liftBlock(userID: Int64) async throws -> Bool {
        table.withLock { $0.blocks.removeValue(forKey: userID) != nil }
    }

    public func blockedUntil(userID: Int64) async throws -> Date? {
        table.withLock { $0.blocks[userID] }
    }

    public func lastIssued(userID: Int64) async throws -> Date? {
        table.withLock { $0.newest { $0.userID == userID }?.createdAt }
    }

    public func count() async throws -> Int {
        table.withLock { $0.codes.count }
    }

    public func latestExpiry(issuedBefore date: Date) async throws -> Date? {
        table.withLock { $0.codes.values.filter { $0.createdAt < date }.map(\.expiresAt).max() }
    }

    // MARK: - Effects

    /// Queues the mail and webhooks of `effects` at `now` and records their events; the caller holds
    /// this store's lock (and the user table's, for a change), so the queues' locks come next.
    /// Returns the mail's id when it was inserted under the effects' claim.
    @discardableResult
    private func write(_ effects: ResetEffects, now: Date) -> Int64? {
        var claimedMailID: Int64?
        if let mail = effects.mail {
            let id = outbox.table.withLock { $0.insert(mail, now: now, claim: effects.mailClaim) }
            if effects.mailClaim != nil { claimedMailID = id }
        }
        if !effects.webhooks.isEmpty {
            webhooks.table.withLock { table in for webhook in effects.webhooks { _ = table.insert(webhook, now: now) } }
        }
        events?.append(effects.events)
        return claimedMailID
    }

    // MARK: - Users

    /// Sets `hash` on user `userID` (when given) and runs `then` while holding the user table's lock;
    /// throws `UserDirectoryError.notFound`, having run nothing, when there is no such user or no user table.
    private func settingPasswordHash(_ hash: String?, userID: Int64, now: Date, then: () -> Void) throws {
        guard let hash else { return then() }
        guard let users else { throw UserDirectoryError.notFound(userID: userID) }
        try users.table.withLock { table in
            try table.setPasswordHash(hash, forUserID: userID, now: now)
            then()
        }
    }
}
