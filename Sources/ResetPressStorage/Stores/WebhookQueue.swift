import Foundation

/// The durable queue of webhook deliveries the webhook sender drains: a ``LeasedQueue`` of
/// ``QueuedWebhook``, one entry per event and URL.
///
/// An entry is sent twice only when its sender stalls past its lease or dies after the receiver
/// answered and before it is marked sent; the receiver tells the two apart by the delivery id,
/// the same on every try.
///
/// The body is the exact JSON the receiver gets (and the signature covers). It holds no code,
/// password or auth code, but it does name the user, so a sent entry loses it; a failed one keeps
/// it so that ``LeasedQueue/retry(ids:now:)`` can send it again.
public protocol WebhookQueue: LeasedQueue where Payload == QueuedWebhook {}

/// A delivery to queue: which event, to which URL, the body to post and its delivery id.
public struct QueuedWebhook: QueuePayload {
    /// The action that fired (`password_reset`).
    public var event: String
    /// Where to post.
    public var url: String
    /// The JSON body, exactly as sent and signed; nil once sent.
    public var body: String?
    /// A unique id, the same on every try (`X-ResetPress-Delivery`), so a receiver can drop repeats.
    public var deliveryID: String

    public init(event: String, url: String, body: String?, deliveryID: String) {
        self.event = event
        self.url = url
        self.body = body
        self.deliveryID = deliveryID
    }

    // MARK: - QueuePayload

    public static let table = QueueTable(
        name: "webhooks", entryName: "Webhook delivery", auditName: "webhooks", payloadColumns: ["event", "url", "body", "delivery_id"], bodyColumns: ["body"],
        secretBodyColumns: [], uniqueColumn: ("delivery_id", "A webhook delivery id"))

    /// None: the receiver's own log is the record of a webhook.
    public static var deliveryEvents: (sent: ResetEventKind, failed: ResetEventKind)? { nil }

    public func cells() throws -> [StorageTable.Cell] {
        [.text(event), .text(url), .init(body), .text(deliveryID)]
    }

    public init(cells: [StorageTable.Cell]) throws {
        self.init(
            event: try cells[0].text(in: "event") ?? "", url: try cells[1].text(in: "url") ?? "", body: try cells[2].text(in: "body"),
            deliveryID: try cells[3].text(in: "delivery_id") ?? "")
    }

    public var hasBody: Bool { body != nil }

    /// Webhook deliveries record no events, so they name no user.
    public var userID: Int64? { nil }

    public var uniqueKey: String? { deliveryID }

    public mutating func deleteBody(secretOnly: Bool) {
        if !secretOnly { body = nil }
    }
}

/// One entry of the webhook queue.
public typealias WebhookEntry = QueueEntry<QueuedWebhook>
