import Foundation

/// What a reset's state change writes beside itself, in its own transaction: the mail it queues,
/// the events it records and the webhook deliveries that report it.
///
/// A store applies all of it with the change or none of it, so a crash after the change never
/// loses the mail or the webhook that reports it, and a crash before leaves neither.
public struct ResetEffects: Sendable, Equatable {
    /// The mail to queue (a reset code's, or the "password changed" notice).
    public var mail: OutboxMail?
    /// The events to record.
    public var events: [ResetEvent]
    /// The claim to insert the mail with, for this node's sender to deliver it from memory (see
    /// ``ResetCodeStore/applyClaimingMail(_:)``); nil queues it for any sender to claim.
    public var mailClaim: QueueClaim?
    /// The webhook deliveries to queue, one per event and URL.
    public var webhooks: [QueuedWebhook]

    public init(mail: OutboxMail? = nil, mailClaim: QueueClaim? = nil, events: [ResetEvent] = [], webhooks: [QueuedWebhook] = []) {
        self.mail = mail
        self.mailClaim = mailClaim
        self.events = events
        self.webhooks = webhooks
    }
}
