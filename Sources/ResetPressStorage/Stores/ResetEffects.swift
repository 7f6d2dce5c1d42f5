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
    /// The webhook deliveries to queue, one per event and URL.
    public var webhooks: [QueuedWebhook]

    public init(mail: OutboxMail? = nil, events: [ResetEvent] = [], webhooks: [QueuedWebhook] = []) {
        self.mail = mail
        self.events = events
        self.webhooks = webhooks
    }
}
