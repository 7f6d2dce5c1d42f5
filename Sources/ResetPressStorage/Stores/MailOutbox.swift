import Foundation
import ResetPressMail

/// The durable outbox the mail sender drains.
///
/// Delivery is at-least-once. A claim marks entries `sending` for one owner (a node id) with a
/// lease: the owner renews the lease while it sends, and `requeueAbandoned` only takes back
/// entries whose lease ended, that have none, or that the asking owner itself claimed in an
/// earlier run. So a node that restarts never re-sends mail another live node is sending, and the
/// mail of a node that died is queued again once its lease ends. An entry is sent twice only when
/// its sender stalls past its lease (or dies after sending, before marking it sent).
///
/// Bodies do not outlive their use: a sent entry loses its body, and so does a sealed one (a code
/// or link) that failed for good; the metadata (kind, recipients, subject, status, tries, error,
/// times, Message-ID) stays until ``deleteFinished(before:)``.
public protocol MailOutbox: Sendable {
    /// Queues a message on its own (mail that is not part of a reset transaction).
    func enqueue(_ mail: OutboxMail, now: Date) async throws -> Int64

    /// Marks up to `limit` queued entries due at `now` as `sending`, claimed by `owner` with a lease
    /// until `leaseUntil`, counts the try in `attempts`, and returns them as they are after the
    /// claim, oldest first. Concurrent claims never return the same entry.
    func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [OutboxEntry]

    /// Sets the lease of every `sending` entry claimed by `owner` to `until`; returns how many.
    /// Entries of other owners and entries in any other status are left alone.
    func renewLeases(owner: String, until: Date) async throws -> Int

    /// Marks claimed entries as sent at `at` in one transaction, clearing their owner and lease and
    /// deleting their bodies, and records `events` in it. Throws `StorageError.notFound`, writing
    /// nothing, when an id has no entry.
    func markSent(ids: [Int64], at: Date, events: [ResetEvent]) async throws

    /// Puts a claimed entry back in the queue for another try at `retryAt`, keeping `error` and
    /// clearing its owner and lease.
    func markRetry(id: Int64, error: String, retryAt: Date) async throws

    /// Marks a claimed entry as failed, keeping `error` and clearing its owner and lease. A sealed body
    /// is deleted unless `keepingSealedBody` (a body this node could not open: it is kept, still sealed,
    /// so that ``retry(ids:now:)`` can send it once the key that sealed it is back); a plain one (no
    /// secret in it) is always kept. Records `events` in the same transaction.
    func markFailed(id: Int64, error: String, keepingSealedBody: Bool, events: [ResetEvent]) async throws

    /// Queues failed entries that still have a body again (all when `ids` is nil), due at `now` with
    /// no owner or lease; returns how many.
    func retry(ids: [Int64]?, now: Date) async throws -> Int

    /// Queues again, due at `now` and with no owner or lease, the `sending` entries that no live
    /// sender holds: those whose lease ended at or before `now`, those with no lease (claimed before
    /// leases existed), and, when `owner` is given, those `owner` claimed (an earlier run of this
    /// same node, which died). Other entries whose lease runs past `now` are left alone, so a node
    /// passes its own id only at start, when none of its claims can be live. Returns how many.
    func requeueAbandoned(now: Date, owner: String?) async throws -> Int

    /// Deletes sent and failed entries created before `date`; queued and sending ones stay.
    /// Returns how many were deleted.
    func deleteFinished(before date: Date) async throws -> Int

    /// Seals, with `seal`, the plain bodies of queued and sending entries of the given kinds (mail
    /// queued before bodies were sealed); returns how many. Sealed bodies are left alone.
    func sealPlainBodies(kinds: [String], seal: @Sendable (MailMessage) throws -> Data) async throws -> Int

    /// The newest entries first, optionally of one status.
    func list(status: OutboxStatus?, limit: Int) async throws -> [OutboxEntry]

    /// How many entries are in each status.
    func counts() async throws -> [OutboxStatus: Int]

    /// The earliest `nextAttemptAt` of a queued entry, so the sender knows when to wake.
    func nextDue() async throws -> Date?
}

extension MailOutbox {
    /// Marks one claimed entry as sent, recording no event.
    public func markSent(id: Int64, at date: Date) async throws {
        try await markSent(ids: [id], at: date, events: [])
    }

    /// Marks one claimed entry as failed for good, recording no event.
    public func markFailed(id: Int64, error: String) async throws {
        try await markFailed(id: id, error: error, keepingSealedBody: false, events: [])
    }
}
