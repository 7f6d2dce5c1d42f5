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

    public init(id: Int64, kind: String, message: MailMessage, messageID: String, status: OutboxStatus, attempts: Int, lastError: String?, createdAt: Date, nextAttemptAt: Date, sentAt: Date?) {
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
    }
}

/// The durable outbox the mail sender drains.
///
/// Delivery is at-least-once: an entry claimed (`sending`) by a process that then dies is
/// queued again by `requeueAbandoned()` at the next start, and may be sent twice; in normal
/// operation an entry is claimed by one sender and sent once.
public protocol MailOutbox: Sendable {
    /// Queues a message on its own (mail that is not part of a reset transaction).
    func enqueue(_ mail: OutboxMail, now: Date) async throws -> Int64

    /// Marks up to `limit` queued entries due at `now` as `sending`, counts the try in `attempts`,
    /// and returns them as they are after the claim, oldest first.
    func claimDue(limit: Int, now: Date) async throws -> [OutboxEntry]

    /// Marks a claimed entry as sent.
    func markSent(id: Int64, at: Date) async throws

    /// Puts a claimed entry back in the queue for another try at `retryAt`, keeping `error`.
    func markRetry(id: Int64, error: String, retryAt: Date) async throws

    /// Marks a claimed entry as failed for good, keeping `error`.
    func markFailed(id: Int64, error: String) async throws

    /// Queues failed entries again (all when `ids` is nil); returns how many.
    func retry(ids: [Int64]?, now: Date) async throws -> Int

    /// Queues entries left `sending` by a process that died; returns how many.
    func requeueAbandoned(now: Date) async throws -> Int

    /// The newest entries first, optionally of one status.
    func list(status: OutboxStatus?, limit: Int) async throws -> [OutboxEntry]

    /// How many entries are in each status.
    func counts() async throws -> [OutboxStatus: Int]

    /// The earliest `nextAttemptAt` of a queued entry, so the sender knows when to wake.
    func nextDue() async throws -> Date?
}
