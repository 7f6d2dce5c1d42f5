import Foundation
import ResetPressMail
import ResetPressUsers

/// A reset code, link token and cancel token being issued: only their keyed hashes are stored.
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

    public init(
        userID: Int64, email: String, codeHash: Data, linkHash: Data, createdAt: Date, expiresAt: Date, requestIP: String,
        cancelHash: Data? = nil
    ) {
        self.userID = userID
        self.email = email
        self.codeHash = codeHash
        self.linkHash = linkHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.requestIP = requestIP
        self.cancelHash = cancelHash
    }
}

/// A stored reset code.
public struct ResetCodeRecord: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    public var email: String
    public var codeHash: Data
    public var linkHash: Data
    public var createdAt: Date
    public var expiresAt: Date
    /// Guesses counted against this code so far (a claimed guess counts, right or wrong).
    public var attempts: Int
    public var requestIP: String
    /// The cancel token's hash; nil for a code issued without one (or before cancel links existed).
    public var cancelHash: Data?

    public init(
        id: Int64, userID: Int64, email: String, codeHash: Data, linkHash: Data, createdAt: Date, expiresAt: Date, attempts: Int,
        requestIP: String, cancelHash: Data? = nil
    ) {
        self.id = id
        self.userID = userID
        self.email = email
        self.codeHash = codeHash
        self.linkHash = linkHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.attempts = attempts
        self.requestIP = requestIP
        self.cancelHash = cancelHash
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
/// Every method that takes ``ResetEffects`` queues their mail and webhook deliveries and records
/// their events, and every method that takes `events` records them, in the same transaction as the
/// code change: either all of it is on disk when the call returns, or none of it is.
public protocol ResetCodeStore: Sendable {
    /// Stores `code`, replacing every earlier code of the same user, and applies `effects` (queued
    /// at the code's creation time). Returns the new record's id.
    func issue(_ code: NewResetCode, effects: ResetEffects) async throws -> Int64

    /// The user's current code by lower-cased email, expired or not; nil when there is none.
    func current(email: String) async throws -> ResetCodeRecord?

    /// The code whose link hash equals `linkHash`, expired or not; nil when there is none.
    func current(linkHash: Data) async throws -> ResetCodeRecord?

    /// The code whose cancel hash equals `cancelHash`, expired or not; nil when there is none.
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

    /// Claims one guess against code `id` atomically: increments `attempts` only while it is
    /// below `maxAttempts`, and returns the record as it is after the claim. Returns nil when the
    /// code is gone or its guesses are used up; a code whose guesses are used up is deleted
    /// (burned). Concurrent claims never let more than `maxAttempts` guesses through. Records the
    /// events `events` returns for the claim's outcome (the record after the claim, or nil), in its
    /// transaction.
    func claimAttempt(
        id: Int64, maxAttempts: Int, events: @escaping @Sendable (ResetCodeRecord?) -> [ResetEvent]
    ) async throws -> ResetCodeRecord?

    /// Completes a change in one transaction: deletes every code of the user if code `id` still
    /// exists, sets the password hash of user `userID` in this store's user table to `passwordHash`
    /// when given (nil when the users live elsewhere, in a host's directory), and applies `effects`.
    /// Returns false, writing nothing, when code `id` was gone; throws
    /// `UserDirectoryError.notFound`, writing nothing, when `passwordHash` is given and no user has
    /// id `userID`. A crash leaves either all of it or none of it on disk.
    /// `now` stamps the user's `updated_at` and the queue time of the mail and webhooks.
    func consume(id: Int64, userID: Int64, passwordHash: String?, effects: ResetEffects, now: Date) async throws -> Bool

    /// The owner's "that wasn't me", in one transaction: if code `id` still exists, deletes every
    /// code of user `userID` and records that the user's resets are blocked until `blockUntil`
    /// (replacing an earlier block, unless that one ends later). Returns false, writing nothing,
    /// when code `id` was gone (used, replaced, cancelled or flushed). Applies `effects` with the
    /// cancel, queued at `now`.
    func cancel(id: Int64, userID: Int64, blockUntil: Date, effects: ResetEffects, now: Date) async throws -> Bool

    /// Deletes code `id` (an expired code that was tried) and records `events` in the same transaction.
    func delete(id: Int64, events: [ResetEvent]) async throws

    /// Deletes codes that expired before `now`, and blocks that ended before it; returns how many codes.
    func deleteExpired(now: Date) async throws -> Int

    /// How many codes are stored (for metrics and tests).
    func count() async throws -> Int
}

extension ResetCodeStore {
    /// Issues with `mail` and nothing else (hosts and tools that keep no statistics).
    public func issue(_ code: NewResetCode, mail: OutboxMail?) async throws -> Int64 {
        try await issue(code, effects: ResetEffects(mail: mail))
    }

    /// Claims a guess without recording events.
    public func claimAttempt(id: Int64, maxAttempts: Int) async throws -> ResetCodeRecord? {
        try await claimAttempt(id: id, maxAttempts: maxAttempts, events: { _ in [] })
    }

    /// Completes a change with `mail` and nothing else.
    public func consume(id: Int64, userID: Int64, passwordHash: String?, mail: OutboxMail?, now: Date) async throws -> Bool {
        try await consume(id: id, userID: userID, passwordHash: passwordHash, effects: ResetEffects(mail: mail), now: now)
    }

    /// Cancels with no mail, event or webhook.
    public func cancel(id: Int64, userID: Int64, blockUntil: Date, now: Date) async throws -> Bool {
        try await cancel(id: id, userID: userID, blockUntil: blockUntil, effects: ResetEffects(), now: now)
    }

    /// Deletes code `id` without recording events.
    public func delete(id: Int64) async throws {
        try await delete(id: id, events: [])
    }
}
