import ResetPressStorage

/// What a ``QueueSender`` hands each claimed batch to: the one part that differs between the mail
/// outbox (open the sealed body, then send it) and the webhook queue (sign the body, then post it).
///
/// A deliverer never marks entries and never throws: it reports how each delivery went, and the
/// sender marks the batch, retries and fails entries, and records events.
public protocol QueueDeliverer<Payload>: Sendable {
    /// What the queue's entries carry.
    associatedtype Payload: QueuePayload

    /// Delivers the claimed entries; returns one outcome per entry, in the batch's order.
    func deliver(_ batch: [QueueEntry<Payload>]) async -> [DeliveryOutcome]
}

/// How the delivery of one claimed entry went.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The receiver took it, answering `detail` (a mail transport's receipt: the SMTP reply with
    /// its queue id, Mailgun's id, the file's path; never the body). The sender keeps it on the
    /// entry where its table has a ``QueueTable/deliveryDetailColumn``; nil when there is nothing
    /// worth keeping.
    case delivered(detail: String?)
    /// It did not go out, for `reason`. A `permanent` failure (or one on the last allowed try) fails
    /// the entry for good, deleting the secret part of its body unless `keepingBody`; any other is
    /// retried after the sender's backoff.
    case failed(_ reason: String, permanent: Bool, keepingBody: Bool = false)
}
