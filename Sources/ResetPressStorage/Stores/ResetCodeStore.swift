import Foundation
import ResetPressMail
import ResetPressUsers

/// A reset code, link token and cancel token being issued: only their keyed hashes are stored.
///
/// The tokens a flow issues name their user (the user's id, a dot, then 43 random characters), so
/// a store finds their code through
/// ``ResetCodeStore/current(userID:)`` and keeps no index of their hashes. Codes stored before tokens
/// named their user are ``tokensByHash``: found by the hash alone, through an index of it.
public struct NewResetCode: Sendable, Equatable {
    public var userID: Int64
    /// The user's email, lower-cased, so a change can be matched by email.
    public var email: String
    /// HMAC-SHA256 of the code under the install secret.
    public var codeHash: Data
    /// HMAC-SHA256 of the link token under the install secret.
    public var linkHash: Data
    public var createdAt: Date
    public var expiresAt: Date
    /// The client IP that asked for it.
    public var requestIP: String
    /// HMAC-SHA256 of the cancel token ("that wasn't me") under the install secret; nil: no cancel link.
    public var cancelHash: Data?
    /// True for a code whose link and cancel tokens do not name their user (issued before they did):
    /// ``ResetCodeStore/current(linkHash:)`` and ``ResetCodeStore/current(cancelHash:)`` find only these.
    public var tokensByHash: Bool

    public init(
        userID: Int64, email: String, codeHash: Data, linkHash: Data, createdAt: Date, expiresAt: Date, requestIP: String,
        cancelHash: Data? = nil, tokensByHash: Bool = false
    ) {
        self.userID = userID
        self.email = email
        self.codeHash = codeHash
        self.linkHash = linkHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.requestIP = requestIP
        self.cancelHash = cancelHash
        self.tokensByHash = tokensByHash
    }
}

/// A stored reset code: the code as it was issued, its id, and the guesses counted against it.
/// Reads the issued fields directly (`record.userID`).
@dynamicMemberLookup
public struct ResetCodeRecord: Sendable, Equatable {
    /// Never the id of an earlier code of the same user, so a record read before a new code was
    /// issued cannot claim a guess against the new code or spend it. Ids are positive and below
    /// 2^53; a store may draw them at random rather than count them.
    public var id: Int64
    /// The code as it was issued.
    public var issued: NewResetCode
    /// Guesses counted against this code so far (a claimed guess counts, right or wrong).
    public var attempts: Int

    public init(id: Int64, issued: NewResetCode, attempts: Int) {
        self.id = id
        self.issued = issued
        self.attempts = attempts
    }

    @inlinable public subscript<Value>(dynamicMember field: KeyPath<NewResetCode, Value>) -> Value {
        issued[keyPath: field]
    }
}

/// A user as a reset request finds them: the account, its block and its current code's age.
public struct ResetRequester: Sendable, Equatable {
    public var user: User
    /// Until when a cancel blocks the user's resets; nil when no block is recorded (it may have ended).
    public var blockedUntil: Date?
    /// When the user's current code was issued; nil when there is none.
    public var lastIssued: Date?

    public init(user: User, blockedUntil: Date?, lastIssued: Date?) {
        self.user = user
        self.blockedUntil = blockedUntil
        self.lastIssued = lastIssued
    }
}

/// Reset codes, at most one per user (only the newest is valid), with the transactional outbox.
///
/// A flow changes them only through ``apply(_:)``: one ``ResetChange`` says everything a step
/// changes (its codes, the password hash, the block, and the mail, events and webhook deliveries
/// that go with them), and the store writes all of it in one transaction or none of it.
public protocol ResetCodeStore: Sendable {
    /// Applies `change` in one transaction: its code change, then its effects, queued at
    /// `change.now`. Returns `.codeGone`, writing nothing, when a spend or revoke finds its code
    /// gone; throws `UserDirectoryError.notFound`, writing nothing, when a spend's password hash
    /// names no user in this store's user table; throws ``StorageError/duplicate(_:)`` when an issued
    /// code is ``NewResetCode/tokensByHash`` and its link or cancel hash is another such code's. A
    /// crash leaves either all of it or none of it on disk.
    func apply(_ change: ResetChange) async throws -> ResetChangeOutcome

    /// Applies `change` as ``apply(_:)`` does, and, when its effects carry a ``ResetEffects/mailClaim``,
    /// inserts the mail already claimed with it and returns the mail's id. A store that returns nil
    /// queued the mail unclaimed, as ``apply(_:)`` does; the default does that for every store.
    func applyClaimingMail(_ change: ResetChange) async throws -> (outcome: ResetChangeOutcome, claimedMailID: Int64?)

    /// The user's current code by lower-cased email, expired or not; nil when there is none.
    func current(email: String) async throws -> ResetCodeRecord?

    /// The user's current code, expired or not; nil when there is none.
    func current(userID: Int64) async throws -> ResetCodeRecord?

    /// The ``NewResetCode/tokensByHash`` code whose link hash equals `linkHash`, expired or not; nil
    /// when there is none.
    func current(linkHash: Data) async throws -> ResetCodeRecord?

    /// The ``NewResetCode/tokensByHash`` code whose cancel hash equals `cancelHash`, expired or not;
    /// nil when there is none.
    func current(cancelHash: Data) async throws -> ResetCodeRecord?

    /// The user with `email` in the user table of this store's own database (compared as that table
    /// compares emails, ignoring case), with until when their resets are blocked and when their
    /// current code was issued, in one read; nil when no user has it. A reset request reads this
    /// when its users live beside its codes.
    func requester(email: String) async throws -> ResetRequester?

    /// When the user's current code was issued (for the per-account throttle); nil when none.
    func lastIssued(userID: Int64) async throws -> Date?

    /// Until when the user's resets are blocked by a cancel; nil when no block is recorded (a
    /// recorded block may have ended: compare with the time). Blocks outlive the codes.
    func blockedUntil(userID: Int64) async throws -> Date?

    /// Removes the user's block early (the support desk's "lift a block"); false when none was recorded.
    func liftBlock(userID: Int64) async throws -> Bool

    /// Deletes user `userID` from the site's user table with everything kept of them — codes, block,
    /// outbox mail and events (and, on a database, bulk-run marks) — in one transaction; false when
    /// the user table had no such user (the rest is deleted all the same).
    func deleteUser(_ userID: Int64) async throws -> Bool

    /// Claims one guess against code `id` of user `userID` atomically: increments `attempts` only
    /// while it is below `maxAttempts`, and returns the record as it is after the claim. Returns nil
    /// when the code is gone (the user has none, or a newer one) or its guesses are used up; a code whose guesses are used up is deleted
    /// (burned). Concurrent claims never let more than `maxAttempts` guesses through. Records the
    /// events `events` returns for the claim's outcome (the record after the claim, or nil), in its
    /// transaction.
    func claimAttempt(
        id: Int64, userID: Int64, maxAttempts: Int, events: @escaping @Sendable (ResetCodeRecord?) -> [ResetEvent]
    ) async throws -> ResetCodeRecord?

    /// Deletes codes that expired before `now`, and blocks that ended before it; returns how many codes.
    func deleteExpired(now: Date) async throws -> Int

    /// How many codes are stored (for metrics and tests).
    func count() async throws -> Int

    /// The latest expiry of the codes issued before `date`, expired ones included; nil when none
    /// is stored. `secret retire` waits for it to pass: such a code may be hashed under the key it retires.
    func latestExpiry(issuedBefore date: Date) async throws -> Date?
}

extension ResetCodeStore {
    /// Queues the mail unclaimed: the store takes no claim and returns no id.
    public func applyClaimingMail(_ change: ResetChange) async throws -> (outcome: ResetChangeOutcome, claimedMailID: Int64?) {
        (try await apply(change), nil)
    }

    /// Stores `code`, replacing every earlier code of the same user, and applies `effects` at the
    /// code's creation time. Returns the new record's id.
    public func issue(_ code: NewResetCode, effects: ResetEffects = ResetEffects()) async throws -> Int64 {
        guard case .issued(let id) = try await apply(ResetChange(.issue(code), effects: effects, now: code.createdAt)) else {
            throw StorageError.unreadable("The id of the issued code")
        }
        return id
    }

    /// Issues with `mail` and nothing else (hosts and tools that keep no statistics).
    public func issue(_ code: NewResetCode, mail: OutboxMail?) async throws -> Int64 {
        try await issue(code, effects: ResetEffects(mail: mail))
    }

    /// Claims a guess without recording events.
    public func claimAttempt(id: Int64, userID: Int64, maxAttempts: Int) async throws -> ResetCodeRecord? {
        try await claimAttempt(id: id, userID: userID, maxAttempts: maxAttempts, events: { _ in [] })
    }

    /// Spends code `id` with `effects` (see ``ResetChange/Codes/spend(id:userID:passwordHash:)``);
    /// false, writing nothing, when it was gone.
    public func consume(id: Int64, userID: Int64, passwordHash: String?, effects: ResetEffects = ResetEffects(), now: Date) async throws -> Bool {
        try await apply(ResetChange(.spend(id: id, userID: userID, passwordHash: passwordHash), effects: effects, now: now)).wasApplied
    }

    /// Completes a change with `mail` and nothing else.
    public func consume(id: Int64, userID: Int64, passwordHash: String?, mail: OutboxMail?, now: Date) async throws -> Bool {
        try await consume(id: id, userID: userID, passwordHash: passwordHash, effects: ResetEffects(mail: mail), now: now)
    }

    /// Revokes code `id` with `effects` (see ``ResetChange/Codes/revoke(id:userID:blockUntil:)``);
    /// false, writing nothing, when it was gone.
    public func cancel(id: Int64, userID: Int64, blockUntil: Date, effects: ResetEffects = ResetEffects(), now: Date) async throws -> Bool {
        try await apply(ResetChange(.revoke(id: id, userID: userID, blockUntil: blockUntil), effects: effects, now: now)).wasApplied
    }

    /// Deletes code `id` of user `userID` and records `events` in the same transaction (a delete queues nothing, so no time is needed).
    public func delete(id: Int64, userID: Int64, events: [ResetEvent] = []) async throws {
        _ = try await apply(ResetChange(.delete(id: id, userID: userID), effects: ResetEffects(events: events), now: .distantPast))
    }
}
