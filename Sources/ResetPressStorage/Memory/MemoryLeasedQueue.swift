import Foundation
import ResetPressEngine
import ResetPressMail
import Synchronization

/// A ``LeasedQueue`` in this process's memory: for tests, examples and hosts without storage.
///
/// A `Mutex`-guarded class rather than an actor so that ``MemoryResetCodeStore`` can queue mail
/// while it holds its own lock (see there). Every method takes its times from the caller, so no
/// clock is needed. Ids start at 1 and are never reused; entries are kept in id order.
public final class MemoryLeasedQueue<Payload: QueuePayload>: LeasedQueue {
    /// The entries and the last id given out.
    struct Table {
        var entries: [QueueEntry<Payload>] = []
        var lastID: Int64 = 0

        /// Queues `payload` due at `now` (already claimed under `claim`, when given); returns its id.
        mutating func insert(_ payload: Payload, now: Date, claim: QueueClaim? = nil) -> Int64 {
            lastID += 1
            entries.append(claim.map { QueueEntry(id: lastID, payload: payload, now: now, claim: $0) } ?? QueueEntry(
                id: lastID, payload: payload, status: .queued, attempts: 0, lastError: nil, createdAt: now, nextAttemptAt: now, sentAt: nil))
            return lastID
        }

        /// Applies `change` to entry `id` and ends its claim; throws `StorageError.notFound` when there is none.
        mutating func update(id: Int64, _ change: (inout QueueEntry<Payload>) -> Void) throws {
            guard let index = entries.firstIndex(where: { $0.id == id }) else { throw StorageError.notFound("\(Payload.table.entryName) \(id)") }
            change(&entries[index])
            Self.release(&entries[index])
        }

        /// Applies `change` to every entry matching `filter`; returns how many.
        mutating func updateAll(where filter: (QueueEntry<Payload>) -> Bool, _ change: (inout QueueEntry<Payload>) -> Void) -> Int {
            var changed = 0
            for index in entries.indices where filter(entries[index]) {
                change(&entries[index])
                changed += 1
            }
            return changed
        }

        /// Ends the claim on `entry`.
        static func release(_ entry: inout QueueEntry<Payload>) {
            entry.claimedBy = nil
            entry.leaseUntil = nil
        }
    }

    let table = Mutex(Table())
    private let events: MemoryEventStore?
    /// Where its retries' audit records go (nil keeps none).
    private let audit: MemoryAuditStore?

    /// Creates an empty queue recording the sender's events in `events` and its retries in `audit`
    /// (nil keeps none).
    public init(events: MemoryEventStore? = nil, audit: MemoryAuditStore? = nil) {
        self.events = events
        self.audit = audit
    }

    // MARK: - Writes

    public func enqueue(_ payloads: [Payload], now: Date) async throws -> [Int64] {
        try table.withLock { table in
            let taken = Set(table.entries.compactMap(\.payload.uniqueKey))
            var seen = Set<String>()
            for key in payloads.compactMap(\.uniqueKey) where taken.contains(key) || !seen.insert(key).inserted {
                throw StorageError.duplicate(Payload.table.uniqueColumn?.description ?? Payload.table.entryName)
            }
            return payloads.map { table.insert($0, now: now) }
        }
    }

    public func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [QueueEntry<Payload>] {
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

    public func markSent(_ sent: [(id: Int64, detail: String?)], at date: Date, events new: [ResetEvent]) async throws {
        let keepsDetail = Payload.table.deliveryDetailColumn != nil
        try table.withLock { table in
            if let missing = sent.first(where: { sent in !table.entries.contains { $0.id == sent.id } }) {
                throw StorageError.notFound("\(Payload.table.entryName) \(missing.id)")
            }
            for (id, detail) in sent {
                try table.update(id: id) { entry in
                    entry.status = .sent
                    entry.sentAt = date
                    if keepsDetail { entry.deliveryDetail = detail }
                    entry.payload.deleteBody(secretOnly: false)
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

    public func markFailed(id: Int64, error: String, keepingBody: Bool, events new: [ResetEvent]) async throws {
        try table.withLock { table in
            try table.update(id: id) { entry in
                entry.status = .failed
                entry.lastError = error
                if !keepingBody { entry.payload.deleteBody(secretOnly: true) }
            }
            events?.append(new)
        }
    }

    public func retry(ids: [Int64]?, now: Date, by actor: AuditActor?) async throws -> Int {
        if let ids, ids.isEmpty { return 0 }
        let chosen = ids.map(Set.init)
        return table.withLock { table in
            let requeued = table.updateAll(where: { $0.status == .failed && $0.payload.hasBody && chosen?.contains($0.id) != false }) { entry in
                entry.status = .queued
                entry.attempts = 0
                entry.nextAttemptAt = now
                Table.release(&entry)
            }
            audit?.append(Self.retryRecords(ids: ids, requeued: requeued, now: now, by: actor))
            return requeued
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

    // MARK: - Reads

    public func list(status: QueueStatus?, limit: Int) async throws -> [QueueEntry<Payload>] {
        table.withLock { table in
            Array(table.entries.reversed().filter { status == nil || $0.status == status }.prefix(max(0, limit)))
        }
    }

    public func counts() async throws -> [QueueStatus: Int] {
        table.withLock { table in
            var counts = Dictionary(uniqueKeysWithValues: QueueStatus.allCases.map { ($0, 0) })
            for entry in table.entries { counts[entry.status, default: 0] += 1 }
            return counts
        }
    }

    public func nextDue() async throws -> Date? {
        table.withLock { table in table.entries.filter { $0.status == .queued }.map(\.nextAttemptAt).min() }
    }
}

/// The mail outbox in memory.
public typealias MemoryMailOutbox = MemoryLeasedQueue<OutboxMail>

/// The webhook queue in memory.
public typealias MemoryWebhookQueue = MemoryLeasedQueue<QueuedWebhook>

extension MemoryLeasedQueue: MailOutbox where Payload == OutboxMail {
    /// Deletes the mail of `userID` (the code store deletes a user's data while holding its lock).
    func removeAll(userID: Int64) {
        table.withLock { $0.entries.removeAll { $0.payload.userID == userID } }
    }

    public func entries(userID: Int64, limit: Int) async throws -> [OutboxEntry] {
        table.withLock { table in
            Array(table.entries.reversed().filter { $0.payload.userID == userID }.prefix(max(0, limit)))
        }
    }

    public func oldestSealed() async throws -> Date? {
        table.withLock { table in
            table.entries.filter { if case .sealed = $0.payload.body { true } else { false } }.map(\.createdAt).min()
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
            for (index, body) in sealed { table.entries[index].payload.body = .sealed(body) }
            return sealed.count
        }
    }
}

extension MemoryLeasedQueue: WebhookQueue where Payload == QueuedWebhook {}
