import Foundation
import ResetPressMail

/// A message to queue: what to send, and a short kind for listings (`reset_code`, `password_changed`).
public struct OutboxMail: Sendable, Equatable {
    public var kind: String
    public var message: MailMessage
    /// The Message-ID, fixed when queued so that a retry re-sends the same message.
    public var messageID: String

    public init(kind: String, message: MailMessage, messageID: String) {
        self.kind = kind
        self.message = message
        self.messageID = messageID
    }
}

/// Where an outbox entry stands.
public enum OutboxStatus: String, Sendable, Codable, CaseIterable {
    case queued, sending, sent, failed
}

/// One outbox entry.
public struct OutboxEntry: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var message: MailMessage
    public var messageID: String
    public var status: OutboxStatus
    /// Delivery tries made so far.
    public var attempts: Int
    /// The transport's last error text, kept for the owner.
    public var lastError: String?
    public var createdAt: Date
    /// When the next try is due (queued entries).
    public var nextAttemptAt: Date
    public var sentAt: Date?
    /// The node sending the entry (`sending` entries; nil otherwise and in rows claimed before leases).
    public var claimedBy: String?
    /// Until when that node's claim holds unless it renews it.
    public var leaseUntil: Date?

    public init(
        id: Int64, kind: String, message: MailMessage, messageID: String, status: OutboxStatus, attempts: Int, lastError: String?,
        createdAt: Date, nextAttemptAt: Date, sentAt: Date?, claimedBy: String? = nil, leaseUntil: Date? = nil
    ) {
        self.id = id
        self.kind = kind
        self.message = message
        self.messageID = messageID
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt
        self.sentAt = sentAt
        self.claimedBy = claimedBy
        self.leaseUntil = leaseUntil
    }
}

/// The durable outbox the mail sender drains.
///
/// Delivery is at-least-once. A claim marks entries `sending` for one owner (a node id) with a
/// lease: the owner renews the lease while it sends, and `requeueAbandoned` only takes back
/// entries whose lease ended, that have none, or that the asking owner itself claimed in an
/// earlier run. So a node that restarts never re-sends mail another live node is sending, and the
/// mail of a node that died is queued again once its lease ends. An entry is sent twice only when
/// its sender stalls past its lease (or dies after sending, before marking it sent).
public protocol MailOutbox: Sendable {
    /// Queues a message on its own (mail that is not part of a reset transaction).
    func enqueue(_ mail: OutboxMail, now: Date) async throws -> Int64

    /// Marks up to `limit` queued entries due at `now` as `sending`, claimed by `owner` with a lease
    /// until `leaseUntil`, counts the try in `attempts`, and returns them as they are after the
    /// claim, oldest first. Concurrent claims never return the same entry.
    func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [OutboxEntry]

    /// Sets the lease of every `sending` entry claimed by `owner` to `until`; returns how many.
    /// Entries of other owners and entries in any other status are left alone.
    func renewLeases(owner: String, until: Date) async throws -> Int

    /// Marks a claimed entry as sent, clearing its owner and lease.
    func markSent(id: Int64, at: Date) async throws

    /// Puts a claimed entry back in the queue for another try at `retryAt`, keeping `error` and
    /// clearing its owner and lease.
    func markRetry(id: Int64, error: String, retryAt: Date) async throws

    /// Marks a claimed entry as failed for good, keeping `error` and clearing its owner and lease.
    func markFailed(id: Int64, error: String) async throws

    /// Queues failed entries again (all when `ids` is nil), due at `now` with no owner or lease;
    /// returns how many.
    func retry(ids: [Int64]?, now: Date) async throws -> Int

    /// Queues again, due at `now` and with no owner or lease, the `sending` entries that no live
    /// sender holds: those whose lease ended at or before `now`, those with no lease (claimed before
    /// leases existed), and, when `owner` is given, those `owner` claimed (an earlier run of this
    /// same node, which died). Other entries whose lease runs past `now` are left alone, so a node
    /// passes its own id only at start, when none of its claims can be live. Returns how many.
    func requeueAbandoned(now: Date, owner: String?) async throws -> Int

    /// The newest entries first, optionally of one status.
    func list(status: OutboxStatus?, limit: Int) async throws -> [OutboxEntry]

    /// How many entries are in each status.
    func counts() async throws -> [OutboxStatus: Int]

    /// The earliest `nextAttemptAt` of a queued entry, so the sender knows when to wake.
    func nextDue() async throws -> Date?
}
