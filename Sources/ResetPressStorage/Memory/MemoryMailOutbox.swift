import Foundation
import ResetPressMail
import Synchronization

/// A ``MailOutbox`` in this process's memory: for tests, examples and hosts without storage.
///
/// A `Mutex`-guarded class rather than an actor so that ``MemoryResetCodeStore`` can queue mail
/// while it holds its own lock (see there). Every method takes its times from the caller, so no
/// clock is needed. Ids start at 1 and are never reused; entries are kept in id order.
public final class MemoryMailOutbox: MailOutbox {
    /// The entries and the last id given out.
    struct Table {
        var entries: [OutboxEntry] = []
        var lastID: Int64 = 0

        /// Queues `mail` due at `now`; returns its id.
        mutating func insert(_ mail: OutboxMail, now: Date) -> Int64 {
            lastID += 1
            entries.append(OutboxEntry(
                id: lastID, kind: mail.kind, to: mail.recipients, subject: mail.subject, body: mail.body, messageID: mail.messageID,
                status: .queued, attempts: 0, lastError: nil, createdAt: now, nextAttemptAt: now, sentAt: nil))
            return lastID
        }

        /// Applies `change` to entry `id`; throws `StorageError.notFound` when there is none.
        mutating func update(id: Int64, _ change: (inout OutboxEntry) -> Void) throws {
            guard let index = entries.firstIndex(where: { $0.id == id }) else { throw StorageError.notFound("Outbox entry \(id)") }
            change(&entries[index])
            Self.release(&entries[index])
        }

        /// Applies `change` to every entry matching `filter`; returns how many.
        mutating func updateAll(where filter: (OutboxEntry) -> Bool, _ change: (inout OutboxEntry) -> Void) -> Int {
            var changed = 0
            for index in entries.indices where filter(entries[index]) {
                change(&entries[index])
                changed += 1
            }
            return changed
        }

        /// Ends the claim on `entry`.
        static func release(_ entry: inout OutboxEntry) {
            entry.claimedBy = nil
            entry.leaseUntil = nil
        }
    }

    let table = Mutex(Table())
    private let events: MemoryEventStore?

    /// Creates an empty outbox recording the sender's events in `events` (nil keeps none).
    public init(events: MemoryEventStore? = nil) {
        self.events = events
    }

    // MARK: - Writes

    public func enqueue(_ mail: OutboxMail, now: Date) async throws -> Int64 {
        table.withLock { $0.insert(mail, now: now) }
    }

    public func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [OutboxEntry] {
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

    public func markSent(ids: [Int64], at date: Date, events new: [ResetEvent]) async throws {
        try table.withLock { table in
            if let missing = ids.first(where: { id in !table.entries.contains { $0.id == id } }) {
                throw StorageError.notFound("Outbox entry \(missing)")
            }
            for id in ids {
                try table.update(id: id) { entry in
                    entry.status = .sent
                    entry.sentAt = date
                    entry.body = nil
                }
            }
            events?.append(new)
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

    public func markFailed(id: Int64, error: String, keepingSealedBody: Bool, events new: [ResetEvent]) async throws {
        try table.withLock { table in
            try table.update(id: id) { entry in
                entry.status = .failed
                entry.lastError = error
                if case .sealed = entry.body, !keepingSealedBody { entry.body = nil }
            }
            events?.append(new)
        }
    }

    public func retry(ids: [Int64]?, now: Date) async throws -> Int {
        let chosen = ids.map(Set.init)
        return table.withLock { table in
            table.updateAll(where: { $0.status == .failed && $0.body != nil && chosen?.contains($0.id) != false }) { entry in
                entry.status = .queued
                entry.attempts = 0
                entry.nextAttemptAt = now
                Table.release(&entry)
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
                Table.release(&entry)
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

    /// Seals every body first and stores them only when all are sealed, so a failing `seal` changes nothing.
    public func sealPlainBodies(kinds: [String], seal: @Sendable (MailMessage) throws -> Data) async throws -> Int {
        let kinds = Set(kinds)
        return try table.withLock { table in
            var sealed: [(index: Int, body: Data)] = []
            for (index, entry) in table.entries.enumerated()
            where [.queued, .sending].contains(entry.status) && kinds.contains(entry.kind) {
                if let message = entry.body?.plainMessage { sealed.append((index, try seal(message))) }
            }
            for (index, body) in sealed { table.entries[index].body = .sealed(body) }
            return sealed.count
        }
    }

    // MARK: - Reads

    public func list(status: OutboxStatus?, limit: Int) async throws -> [OutboxEntry] {
        table.withLock { table in
            Array(table.entries.reversed().filter { status == nil || $0.status == status }.prefix(max(0, limit)))
        }
    }

    public func counts() async throws -> [OutboxStatus: Int] {
        table.withLock { table in
            var counts = Dictionary(uniqueKeysWithValues: OutboxStatus.allCases.map { ($0, 0) })
            for entry in table.entries { counts[entry.status, default: 0] += 1 }
            return counts
        }
    }

    public func nextDue() async throws -> Date? {
        table.withLock { table in table.entries.filter { $0.status == .queued }.map(\.nextAttemptAt).min() }
    }
}
