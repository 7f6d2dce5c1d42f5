import Foundation
import ResetPressMail

/// The body of an outbox entry: the message in clear, or sealed by a ``MailSealer``.
///
/// Mail that carries a code or link is sealed above the store; the store never holds the key.
public enum OutboxBody: Sendable, Equatable {
    /// A message with no secret in it (the "password changed" notice), stored as JSON.
    case plain(MailMessage)
    /// A message sealed by ``MailSealer/seal(_:)``; only the sender opens it.
    case sealed(Data)

    /// The message when stored in clear; nil when sealed.
    public var plainMessage: MailMessage? {
        if case .plain(let message) = self { message } else { nil }
    }
}

/// A message to queue: what to send, and a short kind for listings (`reset_code`, `password_changed`).
///
/// `recipients` and `subject` are kept in clear for the queue views, beside a body that may be sealed.
public struct OutboxMail: Sendable, Equatable {
    public var kind: String
    /// The recipients' email addresses.
    public var recipients: [String]
    public var subject: String
    public var body: OutboxBody
    /// The Message-ID, fixed when queued so that a retry re-sends the same message.
    public var messageID: String

    /// Mail with explicit metadata and body.
    public init(kind: String, recipients: [String], subject: String, body: OutboxBody, messageID: String) {
        self.kind = kind
        self.recipients = recipients
        self.subject = subject
        self.body = body
        self.messageID = messageID
    }

    /// Mail whose body is `message` in clear, with its recipients and subject as metadata.
    public init(kind: String, message: MailMessage, messageID: String) {
        self.init(kind: kind, recipients: message.to.map(\.email), subject: message.subject, body: .plain(message), messageID: messageID)
    }

    /// The same mail with a plain body sealed by `sealer` (a sealed one is returned as it is).
    public func sealed(with sealer: MailSealer) throws -> OutboxMail {
        guard case .plain(let message) = body else { return self }
        var mail = self
        mail.body = .sealed(try sealer.seal(message))
        return mail
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
    /// The recipients' email addresses, kept after the body is deleted.
    public var to: [String]
    /// The subject, kept after the body is deleted.
    public var subject: String
    /// The message, plain or sealed; nil once deleted (sent, or sealed and failed for good).
    public var body: OutboxBody?
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
        id: Int64, kind: String, to: [String], subject: String, body: OutboxBody?, messageID: String, status: OutboxStatus, attempts: Int,
        lastError: String?, createdAt: Date, nextAttemptAt: Date, sentAt: Date?, claimedBy: String? = nil, leaseUntil: Date? = nil
    ) {
        self.id = id
        self.kind = kind
        self.to = to
        self.subject = subject
        self.body = body
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
