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
/// `recipients` and `subject` are kept in clear for the queue views, beside a body that may be
/// sealed. In the `outbox` table the body takes two nullable columns, `body` (the message as JSON
/// text) and `sealed_body` (the sealed bytes): at most one is set, and both are NULL once the body
/// is deleted. A sealed body is the secret part, deleted when the mail fails for good.
public struct OutboxMail: QueuePayload {
    public var kind: String
    /// The recipients' email addresses, kept after the body is deleted.
    public var recipients: [String]
    /// The subject, kept after the body is deleted.
    public var subject: String
    /// The message, plain or sealed; nil once deleted (sent, or sealed and failed for good).
    public var body: OutboxBody?
    /// The Message-ID, fixed when queued so that a retry re-sends the same message.
    public var messageID: String
    /// The user the mail is for (nil for a test message): what the support desk's timeline reads
    /// it by, and what its delivery events carry.
    public var userID: Int64?

    /// Mail with explicit metadata and body.
    public init(kind: String, recipients: [String], subject: String, body: OutboxBody?, messageID: String, userID: Int64? = nil) {
        self.kind = kind
        self.recipients = recipients
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.userID = userID
    }

    /// Mail whose body is `message` in clear, with its recipients and subject as metadata.
    public init(kind: String, message: MailMessage, messageID: String, userID: Int64? = nil) {
        self.init(
            kind: kind, recipients: message.to.map(\.email), subject: message.subject, body: .plain(message), messageID: messageID, userID: userID)
    }

    /// The same mail with a plain body sealed by `sealer` (any other is returned as it is).
    public func sealed(with sealer: MailSealer) throws -> OutboxMail {
        guard let message = body?.plainMessage else { return self }
        var mail = self
        mail.body = .sealed(try sealer.seal(message))
        return mail
    }

    // MARK: - QueuePayload

    public static let table = QueueTable(
        name: "outbox", entryName: "Outbox entry", auditName: "mail", payloadColumns: ["kind", "recipients", "subject", "body", "sealed_body", "message_id", "user_id"],
        bodyColumns: ["body", "sealed_body"], secretBodyColumns: ["sealed_body"], deliveryDetailColumn: "delivery_detail")

    public static var deliveryEvents: (sent: ResetEventKind, failed: ResetEventKind)? { (.mailSent, .mailFailed) }

    public func cells() throws -> [StorageTable.Cell] {
        let plain = try body?.plainMessage.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        var sealed: Data?
        if case .sealed(let data) = body { sealed = data }
        let recipients = try RecipientsColumn.text(of: recipients)
        return [.text(kind), .text(recipients), .text(subject), .init(plain), .init(sealed), .text(messageID), .init(userID)]
    }

    public init(cells: [StorageTable.Cell]) throws {
        let recipients = try cells[1].text(in: "recipients") ?? "[]"
        var body: OutboxBody?
        if let sealed = try cells[4].bytes(in: "sealed_body") {
            body = .sealed(sealed)
        } else if let plain = try cells[3].text(in: "body") {
            body = .plain(try JSONDecoder().decode(MailMessage.self, from: Data(plain.utf8)))
        }
        self.init(
            kind: try cells[0].text(in: "kind") ?? "", recipients: try RecipientsColumn.recipients(in: recipients),
            subject: try cells[2].text(in: "subject") ?? "", body: body, messageID: try cells[5].text(in: "message_id") ?? "",
            userID: try cells[6].integer(in: "user_id"))
    }

    public var hasBody: Bool { body != nil }

    public var uniqueKey: String? { nil }

    public mutating func deleteBody(secretOnly: Bool) {
        if case .sealed = body { body = nil } else if !secretOnly { body = nil }
    }
}

/// One outbox entry.
public typealias OutboxEntry = QueueEntry<OutboxMail>
