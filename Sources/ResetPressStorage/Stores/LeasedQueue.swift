import Foundation
import ResetPressEngine

/// A durable queue that senders on one or several nodes drain with leases: the mail outbox and the
/// webhook queue are two tables of it.
///
/// Delivery is at-least-once. A claim marks entries `sending` for one owner (a node id) with a
/// lease: the owner renews the lease while it delivers, and ``requeueAbandoned(now:owner:)`` only
/// takes back entries whose lease ended, that have none, or that the asking owner itself claimed
/// in an earlier run. So a node that restarts never re-delivers what another live node is
/// delivering, and the entries of a node that died are queued again once its lease ends. An entry
/// goes out twice only when its sender stalls past its lease, or dies after delivering and before
/// marking it sent.
///
/// A claim counts a try in `attempts`; ``retry(ids:now:)`` starts a failed entry's count again from
/// zero. Every move out of `sending` clears the owner and lease. A sent entry loses its body; a
/// failed one loses the part of its body that holds a secret (see ``QueuePayload``) unless the
/// sender keeps it. The metadata stays until ``deleteFinished(before:)``.
public protocol LeasedQueue<Payload>: Sendable {
    /// What one entry carries besides its place in the queue.
    associatedtype Payload: QueuePayload

    /// Queues the payloads together, each due at `now`; returns their ids in order. A payload whose
    /// unique key is already queued throws `StorageError.duplicate`, and nothing is queued.
    func enqueue(_ payloads: [Payload], now: Date) async throws -> [Int64]

    /// Marks up to `limit` queued entries due at `now` as `sending`, claimed by `owner` with a lease
    /// until `leaseUntil`, counts the try in `attempts`, and returns them as they are after the
    /// claim, oldest first. Concurrent claims never return the same entry.
    func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [QueueEntry<Payload>]

    /// Sets the lease of every `sending` entry claimed by `owner` to `until`; returns how many.
    /// Entries of other owners and entries in any other status are left alone.
    func renewLeases(owner: String, until: Date) async throws -> Int

    /// Marks claimed entries as sent at `at` in one transaction, clearing their owner, lease and
    /// body, and records `events` in it. Each entry keeps its `detail`, what the receiver answered,
    /// as its ``QueueEntry/deliveryDetail`` (NULL when nil) where the table has a
    /// ``QueueTable/deliveryDetailColumn``; a table without one drops it. Throws
    /// `StorageError.notFound`, writing nothing, when an id has no entry.
    func markSent(_ sent: [(id: Int64, detail: String?)], at: Date, events: [ResetEvent]) async throws

    /// Puts a claimed entry back in the queue for another try at `retryAt`, keeping `error` and
    /// clearing its owner and lease. Throws `StorageError.notFound` for an unknown id.
    func markRetry(id: Int64, error: String, retryAt: Date) async throws

    /// Marks a claimed entry as failed for good, keeping `error` and clearing its owner and lease,
    /// and records `events` in the same transaction. The part of the body that holds a secret is
    /// deleted unless `keepingBody` (a body this node could not open: it is kept so that
    /// ``retry(ids:now:)`` can send it once the key that sealed it is back). Throws
    /// `StorageError.notFound` for an unknown id.
    func markFailed(id: Int64, error: String, keepingBody: Bool, events: [ResetEvent]) async throws

    /// Queues failed entries that still have a body again (all when `ids` is nil; unknown or
    /// not-failed ids are skipped), due at `now`, with their try count at zero and no owner or
    /// lease; returns how many. When `actor` is given, the retry's audit record (``AuditRecord/retry(of:ids:requeued:at:by:)``
    /// under the table's ``QueueTable/auditName``) commits with it.
    func retry(ids: [Int64]?, now: Date, by actor: AuditActor?) async throws -> Int

    /// Queues again, due at `now` and with no owner or lease, the `sending` entries that no live
    /// sender holds: those whose lease ended at or before `now`, those with no lease, and, when
    /// `owner` is given, those `owner` claimed (an earlier run of this same node, which died).
    /// Other entries whose lease runs past `now` are left alone, so a node passes its own id only
    /// at start, when none of its claims can be live. Returns how many.
    func requeueAbandoned(now: Date, owner: String?) async throws -> Int

    /// Deletes sent and failed entries created before `date`; queued and sending ones stay.
    /// Returns how many were deleted.
    func deleteFinished(before date: Date) async throws -> Int

    /// The newest entries first, optionally of one status.
    func list(status: QueueStatus?, limit: Int) async throws -> [QueueEntry<Payload>]

    /// How many entries are in each status (every status present, zero when none).
    func counts() async throws -> [QueueStatus: Int]

    /// The earliest `nextAttemptAt` of a queued entry, so the sender knows when to wake.
    func nextDue() async throws -> Date?
}

extension LeasedQueue {
    /// Queues failed entries again with no audit record (the sender's tests).
    public func retry(ids: [Int64]?, now: Date) async throws -> Int {
        try await retry(ids: ids, now: now, by: nil)
    }

    /// The audit records of a retry by `actor` that requeued `requeued` entries; none without an actor.
    package static func retryRecords(ids: [Int64]?, requeued: Int, now: Date, by actor: AuditActor?) -> [AuditRecord] {
        actor.map { [.retry(of: Payload.table.auditName, ids: ids, requeued: requeued, at: now, by: $0)] } ?? []
    }

    /// Queues one payload due at `now`; returns its id.
    public func enqueue(_ payload: Payload, now: Date) async throws -> Int64 {
        let ids = try await enqueue([payload], now: now)
        return ids[0]
    }

    /// Marks one claimed entry as sent with the receiver's answer `detail`, recording no event.
    public func markSent(id: Int64, at date: Date, detail: String? = nil) async throws {
        try await markSent([(id, detail)], at: date, events: [])
    }

    /// Marks one claimed entry as failed for good, recording no event.
    public func markFailed(id: Int64, error: String) async throws {
        try await markFailed(id: id, error: error, keepingBody: false, events: [])
    }

    /// This queue as a queue of its payload, whatever its type (Swift does not convert the
    /// existential of a refined protocol, `any MailOutbox`, to `any LeasedQueue<OutboxMail>` by
    /// itself; reading this property opens it).
    public var erased: any LeasedQueue<Payload> { self }
}

/// A claim an entry is inserted with: `sending` for `owner` until `leaseUntil`, its first try
/// counted, as if ``LeasedQueue/claimDue(limit:now:owner:leaseUntil:)`` had just taken it. The node
/// that queues it hands the entry to its own sender, which delivers it without claiming or reading
/// it; any sender takes it over, as any abandoned claim, once the lease ends unrenewed.
public struct QueueClaim: Sendable, Equatable {
    public var owner: String
    public var leaseUntil: Date

    public init(owner: String, leaseUntil: Date) {
        self.owner = owner
        self.leaseUntil = leaseUntil
    }
}

extension QueueEntry {
    /// The entry a store inserts for `payload` at `now` under `claim` (see ``QueueClaim``).
    public init(id: Int64, payload: Payload, now: Date, claim: QueueClaim) {
        self.init(
            id: id, payload: payload, status: .sending, attempts: 1, lastError: nil, createdAt: now, nextAttemptAt: now, sentAt: nil,
            claimedBy: claim.owner, leaseUntil: claim.leaseUntil)
    }
}

/// Where a queue entry stands.
public enum QueueStatus: String, Sendable, Codable, CaseIterable {
    case queued, sending, sent, failed
}

/// One entry of a ``LeasedQueue``: its payload and its place in the queue.
///
/// The payload's fields read as the entry's own (`entry.subject`, `entry.url`).
@dynamicMemberLookup
public struct QueueEntry<Payload: QueuePayload>: Sendable, Equatable {
    public var id: Int64
    /// What was queued; its body is nil once deleted.
    public var payload: Payload
    public var status: QueueStatus
    /// Delivery tries made so far (a claim counts one).
    public var attempts: Int
    /// Why the last try failed (a transport error, `HTTP 503`), kept for the owner.
    public var lastError: String?
    public var createdAt: Date
    /// When the next try is due (queued entries).
    public var nextAttemptAt: Date
    public var sentAt: Date?
    /// The node delivering the entry (`sending` entries; nil otherwise and in rows claimed before leases).
    public var claimedBy: String?
    /// Until when that node's claim holds unless it renews it.
    public var leaseUntil: Date?
    /// What the receiver answered when it took the entry (for mail, the transport's
    /// receipt: the SMTP reply with its queue id, Mailgun's id, the file's path);
    /// nil until it is sent, and always in a table without a ``QueueTable/deliveryDetailColumn``.
    public var deliveryDetail: String?

    public init(
        id: Int64, payload: Payload, status: QueueStatus, attempts: Int, lastError: String?, createdAt: Date, nextAttemptAt: Date,
        sentAt: Date?, claimedBy: String? = nil, leaseUntil: Date? = nil, deliveryDetail: String? = nil
    ) {
        self.id = id
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt
        self.sentAt = sentAt
        self.claimedBy = claimedBy
        self.leaseUntil = leaseUntil
        self.deliveryDetail = deliveryDetail
    }

    /// A field of the payload.
    @inlinable public subscript<Value>(dynamicMember keyPath: KeyPath<Payload, Value>) -> Value {
        payload[keyPath: keyPath]
    }
}
