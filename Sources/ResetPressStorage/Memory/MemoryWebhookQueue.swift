import Foundation
import Synchronization

/// A ``WebhookQueue`` in this process's memory: for tests, examples and hosts without storage.
///
/// Every method takes its times from the caller, so no clock is needed. Ids start at 1 and are
/// never reused; entries are kept in id order.
public final class MemoryWebhookQueue: WebhookQueue {
    private struct Table {
        var entries: [WebhookEntry] = []
        var lastID: Int64 = 0

        mutating func update(id: Int64, _ change: (inout WebhookEntry) -> Void) throws {
            guard let index = entries.firstIndex(where: { $0.id == id }) else { throw StorageError.notFound("Webhook delivery \(id)") }
            change(&entries[index])
            entries[index].claimedBy = nil
            entries[index].leaseUntil = nil
        }

        mutating func updateAll(where filter: (WebhookEntry) -> Bool, _ change: (inout WebhookEntry) -> Void) -> Int {
            var changed = 0
            for index in entries.indices where filter(entries[index]) {
                change(&entries[index])
                changed += 1
            }
            return changed
        }
    }

    private let table = Mutex(Table())

    /// Creates an empty queue.
    public init() {}

    // MARK: - Writes

    public func enqueue(_ webhooks: [QueuedWebhook], now: Date) async throws -> [Int64] {
        try table.withLock { table in
            let taken = Set(table.entries.map(\.deliveryID))
            var seen = Set<String>()
            for webhook in webhooks where taken.contains(webhook.deliveryID) || !seen.insert(webhook.deliveryID).inserted {
                throw StorageError.duplicate("A webhook delivery id")
            }
            return webhooks.map { webhook in
                table.lastID += 1
                table.entries.append(WebhookEntry(
                    id: table.lastID, event: webhook.event, url: webhook.url, body: webhook.body, deliveryID: webhook.deliveryID,
                    status: .queued, attempts: 0, lastError: nil, createdAt: now, nextAttemptAt: now, sentAt: nil))
                return table.lastID
            }
        }
    }

    public func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [WebhookEntry] {
        table.withLock { table in
            let due = table.entries.indices.filter { table.entries[$0].status == .queued && table.entries[$0].nextAttemptAt <= now }
            return due.prefix(max(0, limit)).map { index in
                table.entries[index].status = .sending
                table.entries[index].attempts += 1
                table.entries[index].claimedBy = owner
                table.entries[index].leaseUntil = leaseUntil
                return table.entries[index]
            }
        }
    }

    public func renewLeases(owner: String, until: Date) async throws -> Int {
        table.withLock { table in
            table.updateAll(where: { $0.status == .sending && $0.claimedBy == owner }) { $0.leaseUntil = until }
        }
    }

    public func markSent(id: Int64, at date: Date) async throws {
        try table.withLock { table in
            try table.update(id: id) { entry in
                entry.status = .sent
                entry.sentAt = date
                entry.body = nil
            }
        }
    }

    public func markRetry(id: Int64, error: String, retryAt: Date) async throws {
        try table.withLock { table in
            try table.update(id: id) { entry in
                entry.status = .queued
                entry.lastError = error
                entry.nextAttemptAt = retryAt
            }
        }
    }

    public func markFailed(id: Int64, error: String) async throws {
        try table.withLock { table in
            try table.update(id: id) { entry in
                entry.status = .failed
                entry.lastError = error
            }
        }
    }

    public func retry(ids: [Int64]?, now: Date) async throws -> Int {
        let chosen = ids.map(Set.init)
        return table.withLock { table in
            table.updateAll(where: { $0.status == .failed && $0.body != nil && chosen?.contains($0.id) != false }) { entry in
                entry.status = .queued
                entry.attempts = 0
                entry.nextAttemptAt = now
                entry.claimedBy = nil
                entry.leaseUntil = nil
            }
        }
    }

    public func requeueAbandoned(now: Date, owner: String?) async throws -> Int {
        table.withLock { table in
            table.updateAll(where: { entry in
                guard entry.status == .sending else { return false }
                guard let lease = entry.leaseUntil else { return true }
                return lease <= now || (owner != nil && entry.claimedBy == owner)
            }) { entry in
                entry.status = .queued
                entry.nextAttemptAt = now
                entry.claimedBy = nil
                entry.leaseUntil = nil
            }
        }
    }

    public func deleteFinished(before date: Date) async throws -> Int {
        table.withLock { table in
            let before = table.entries.count
            table.entries.removeAll { [.sent, .failed].contains($0.status) && $0.createdAt < date }
            return before - table.entries.count
        }
    }

    // MARK: - Reads

    public func list(status: WebhookStatus?, limit: Int) async throws -> [WebhookEntry] {
        table.withLock { table in
            Array(table.entries.reversed().filter { status == nil || $0.status == status }.prefix(max(0, limit)))
        }
    }

    public func counts() async throws -> [WebhookStatus: Int] {
        table.withLock { table in
            var counts = Dictionary(uniqueKeysWithValues: WebhookStatus.allCases.map { ($0, 0) })
            for entry in table.entries { counts[entry.status, default: 0] += 1 }
            return counts
        }
    }
}
