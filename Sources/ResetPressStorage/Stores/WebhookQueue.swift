import Foundation

/// The durable queue of webhook deliveries the webhook sender drains: one entry per event and URL.
///
/// It works like ``MailOutbox``. Delivery is at-least-once: a claim marks entries `sending` for
/// one owner (a node id) with a lease that the owner renews while it sends, and
/// ``requeueAbandoned(now:owner:)`` only takes back entries whose lease ended, that have none, or
/// that the asking owner claimed in an earlier run. An entry is sent twice only when its sender
/// stalls past its lease or dies after the receiver answered and before ``markSent(id:at:)``; the
/// receiver tells the two apart by the delivery id, the same on every try.
///
/// The body is the exact JSON the receiver gets (and the signature covers). It holds no code,
/// password or auth code, but it does name the user, so a sent entry loses it; a failed one keeps
/// it so that ``retry(ids:now:)`` can send it again. The metadata (event, URL, delivery id,
/// status, tries, last error, times) stays until ``deleteFinished(before:)``.
public protocol WebhookQueue: Sendable {
    /// Queues the deliveries together (one event's URLs), each due at `now`; returns their ids in
    /// order. A delivery id already queued throws `StorageError.duplicate`, and nothing is queued.
    func enqueue(_ webhooks: [QueuedWebhook], now: Date) async throws -> [Int64]

    /// Marks up to `limit` queued entries due at `now` as `sending`, claimed by `owner` with a
    /// lease until `leaseUntil`, counts the try in `attempts`, and returns them as they are after
    /// the claim, oldest first. Concurrent claims never return the same entry.
    func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [WebhookEntry]

    /// Sets the lease of every `sending` entry claimed by `owner` to `until`; returns how many.
    /// Entries of other owners and entries in any other status are left alone.
    func renewLeases(owner: String, until: Date) async throws -> Int

    /// Marks a claimed entry as sent at `at`, clearing its owner, lease and body.
    /// Throws `StorageError.notFound` for an unknown id.
    func markSent(id: Int64, at: Date) async throws

    /// Puts a claimed entry back in the queue for another try at `retryAt`, keeping `error` and
    /// clearing its owner and lease. Throws `StorageError.notFound` for an unknown id.
    func markRetry(id: Int64, error: String, retryAt: Date) async throws

    /// Marks a claimed entry as failed for good, keeping `error` and the body and clearing its
    /// owner and lease. Throws `StorageError.notFound` for an unknown id.
    func markFailed(id: Int64, error: String) async throws

    /// Queues failed entries again (all when `ids` is nil; unknown or not-failed ids are skipped),
    /// due at `now`, with their try count at zero and no owner or lease; returns how many.
    func retry(ids: [Int64]?, now: Date) async throws -> Int

    /// Queues again, due at `now` and with no owner or lease, the `sending` entries no live sender
    /// holds: those whose lease ended at or before `now`, and, when `owner` is given, those `owner`
    /// claimed (an earlier run of this node). Returns how many.
    func requeueAbandoned(now: Date, owner: String?) async throws -> Int

    /// Deletes sent and failed entries created before `date`; queued and sending ones stay.
    /// Returns how many.
    func deleteFinished(before date: Date) async throws -> Int

    /// The newest entries first, optionally of one status.
    func list(status: WebhookStatus?, limit: Int) async throws -> [WebhookEntry]

    /// How many entries are in each status (every status present, zero when none).
    func counts() async throws -> [WebhookStatus: Int]
}

/// Where a webhook delivery stands.
public enum WebhookStatus: String, Sendable, Codable, CaseIterable {
    case queued, sending, sent, failed
}

/// A delivery to queue: which event, to which URL, the body to post and its delivery id.
public struct QueuedWebhook: Sendable, Equatable {
    /// The action that fired (`password_reset`).
    public var event: String
    /// Where to post.
    public var url: String
    /// The JSON body, exactly as sent and signed.
    public var body: String
    /// A unique id, the same on every try (`X-ResetPress-Delivery`), so a receiver can drop repeats.
    public var deliveryID: String

    public init(event: String, url: String, body: String, deliveryID: String) {
        self.event = event
        self.url = url
        self.body = body
        self.deliveryID = deliveryID
    }
}

/// One entry of the webhook queue.
public struct WebhookEntry: Sendable, Equatable {
    public var id: Int64
    public var event: String
    public var url: String
    /// The JSON body; nil once sent.
    public var body: String?
    public var deliveryID: String
    public var status: WebhookStatus
    /// Tries made so far (a claim counts one).
    public var attempts: Int
    /// Why the last try failed (`HTTP 503`, a connection error), kept for the owner.
    public var lastError: String?
    public var createdAt: Date
    /// When the next try is due (queued entries).
    public var nextAttemptAt: Date
    public var sentAt: Date?
    /// The node sending the entry (`sending` entries only).
    public var claimedBy: String?
    /// Until when that node's claim holds unless renewed.
    public var leaseUntil: Date?

    public init(
        id: Int64, event: String, url: String, body: String?, deliveryID: String, status: WebhookStatus, attempts: Int, lastError: String?,
        createdAt: Date, nextAttemptAt: Date, sentAt: Date?, claimedBy: String? = nil, leaseUntil: Date? = nil
    ) {
        self.id = id
        self.event = event
        self.url = url
        self.body = body
        self.deliveryID = deliveryID
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
