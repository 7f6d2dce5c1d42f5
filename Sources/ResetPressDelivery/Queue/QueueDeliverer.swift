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
    /// The receiver took it.
    case delivered
    /// It did not go out, for `reason`. A `permanent` failure (or one on the last allowed try) fails
    /// the entry for good, deleting the secret part of its body unless `keepingBody`; any other is
    /// retried after the sender's backoff.
    case failed(_ reason: String, permanent: Bool, keepingBody: Bool = false)
}
