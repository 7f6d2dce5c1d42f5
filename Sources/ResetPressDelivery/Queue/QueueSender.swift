import Foundation
import Logging
import ResetPressStorage
import Synchronization

/// Drains one ``LeasedQueue`` through its ``QueueDeliverer``, with retries and exponential backoff:
/// the one sender both the mail outbox and the webhook queue run.
///
/// Woken at once when an entry is queued, and every `tick` otherwise. An entry whose delivery fails
/// permanently, or that failed `maxAttempts` times, is marked `failed` with the last reason; any
/// other failure is retried after `backoff`. Delivered entries of a batch are marked sent together,
/// each with the receiver's answer (``DeliveryOutcome/delivered(detail:)``) and with their `sent`
/// events, in one transaction.
///
/// Claims are made for `owner`, this node's id (see ``nodeID(dataDirectory:)``), with a lease the
/// sender renews every third of `lease` while a drain holds entries. `run` queues again, at start,
/// the entries this node left `sending` in an earlier run and those whose lease ended, and then
/// every half lease those whose lease ended: the entries of a node that died are taken over within
/// about one lease, and an entry a live node is delivering is never taken from it.
///
/// While `run` runs, an entry this node queues can skip the claim: it is inserted under
/// ``claimForHandOff()``'s claim and given to ``handOff(_:)`` with its payload in clear, and a drain
/// delivers it from memory before it claims anything. Drains that deliver handed-off entries still
/// claim at least once per `tick`, so entries queued elsewhere or due for a retry are never starved.
public final class QueueSender<Payload: QueuePayload>: Sendable {
    private let queue: any LeasedQueue<Payload>
    private let deliverer: any QueueDeliverer<Payload>
    /// What the entries are called in log lines (`mail`, `webhook`).
    private let noun: String
    private let logger: Logger
    /// This node's id, recorded as the owner of its claims.
    public let owner: String
    /// How long a claim holds without renewal.
    public let lease: Duration
    private let maxAttempts: Int
    private let batchSize: Int
    private let workers: Int
    private let backoff: @Sendable (Int) -> TimeInterval
    private let clock: @Sendable () -> Date
    /// Records the payload's ``QueuePayload/deliveryEvents``; nil records none.
    private let events: EventRecorder?
    private let backlog: OutboxBacklog?
    private let wakeStream: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    /// The entries handed off since the last drain took them, oldest first.
    private let handedOff = Mutex<[QueueEntry<Payload>]>([])
    /// Whether `run` is running, so a handed-off entry will be delivered.
    private let running = Atomic<Bool>(false)
    /// How often a drain that delivers handed-off entries claims as well.
    private let claimInterval: Duration
    /// When a drain last claimed.
    private let lastClaim = Mutex<ContinuousClock.Instant?>(nil)

    /// A sender of `queue`'s entries through `deliverer`. `owner` must be stable across restarts of
    /// this node and distinct from every other node's. A drain runs `workers` claim-deliver-mark loops
    /// side by side, so one batch's deliveries overlap another's commits. `backoff` gives the delay
    /// after failed try number n. `backlog`, when given, learns what each claim takes and finishes.
    public init(
        queue: any LeasedQueue<Payload>, deliverer: any QueueDeliverer<Payload>, noun: String, logger: Logger, owner: String,
        lease: Duration = .seconds(60), maxAttempts: Int, batchSize: Int, workers: Int = 1, backoff: @escaping @Sendable (Int) -> TimeInterval,
        clock: @escaping @Sendable () -> Date = { Date() }, events: EventRecorder? = nil, backlog: OutboxBacklog? = nil,
        claimInterval: Duration = .seconds(1)
    ) {
        self.claimInterval = claimInterval
        self.queue = queue
        self.deliverer = deliverer
        self.noun = noun
        self.logger = logger
        self.owner = owner
        self.lease = lease
        self.maxAttempts = maxAttempts
        self.batchSize = batchSize
        self.workers = max(1, workers)
        self.backoff = backoff
        self.clock = clock
        self.events = events
        self.backlog = backlog
        (wakeStream, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the sender to look at the queue now.
    public func wake() {
        wakeContinuation.yield()
    }

    /// Stops `run` after its current drain.
    public func finish() {
        wakeContinuation.finish()
    }

    // MARK: - Handing off

    /// The claim to insert an entry with that this node hands to ``handOff(_:)``: this node, with a
    /// lease from now; nil while `run` is not running, when the entry must be queued unclaimed.
    public func claimForHandOff() -> QueueClaim? {
        running.load(ordering: .acquiring) ? QueueClaim(owner: owner, leaseUntil: leaseEnd()) : nil
    }

    /// Takes `entry`, inserted under a ``claimForHandOff()`` claim, for the next drain to deliver as
    /// it is, and wakes the sender. The entry's payload must be the one to deliver (a mail's
    /// message in clear): the sender neither reads nor opens the stored one.
    public func handOff(_ entry: QueueEntry<Payload>) {
        handedOff.withLock { $0.append(entry) }
        backlog?.claimed(1)
        wake()
    }

    /// Up to `limit` handed-off entries, oldest first. When the oldest has less than half of its
    /// lease left (it waited that long: the lease may end before it is marked), those in the same
    /// state are dropped instead: they stay claimed in the queue and are taken over as abandoned claims.
    private func takeHandedOff(limit: Int) -> [QueueEntry<Payload>] {
        let taken = handedOff.withLock { handed in
            guard handed.count > limit else {
                defer { handed = [] }
                return handed
            }
            defer { handed.removeFirst(limit) }
            return Array(handed.prefix(limit))
        }
        let freshUntil = clock().addingTimeInterval(leaseSeconds / 2)
        func isFresh(_ entry: QueueEntry<Payload>) -> Bool { (entry.leaseUntil ?? .distantPast) > freshUntil }
        guard let oldest = taken.first, !isFresh(oldest) else { return taken }
        let fresh = taken.filter(isFresh)
        backlog?.finished(taken.count - fresh.count)
        return fresh
    }

    /// The delay before try number `attempt + 1`: `base` seconds doubling per try, at most an hour,
    /// ±20 % jitter.
    public static func backoff(base: TimeInterval, afterAttempt attempt: Int) -> TimeInterval {
        min(3600, base * pow(2, Double(max(0, attempt - 1)))) * Double.random(in: 0.8...1.2)
    }

    /// The node id `"<host name>:<absolute data directory>"`: the same across restarts of a node,
    /// and distinct between the nodes of a cluster, each of which has its own data directory.
    public static func nodeID(dataDirectory: URL) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
        return "\(host):\(dataDirectory.absoluteURL.standardizedFileURL.path)"
    }

    // MARK: - Draining

    /// How many entries a drain sent, put back to retry, and failed for good.
    public typealias Totals = (sent: Int, retried: Int, failed: Int)

    /// Delivers every due entry once; returns how many were sent, retried and failed.
    ///
    /// One batch goes first: when it is not full, every due entry was in it, and no other claim is
    /// made (a quiet queue costs one claim per drain). After a full one, `workers` loops claim
    /// disjoint batches (a claim is one atomic update) until none is left. While they run, the
    /// leases of this owner's claims are renewed every third of `lease`.
    @discardableResult
    public func drain() async throws -> Totals {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.renewLeases() }
            defer { group.cancelAll() }
            let (first, full) = try await deliverBatch()
            guard full else { return first }
            return try await withThrowingTaskGroup(of: Totals.self) { loops in
                for _ in 0..<workers { loops.addTask { try await self.deliverDue() } }
                var totals = first
                for try await done in loops {
                    totals = (totals.sent + done.sent, totals.retried + done.retried, totals.failed + done.failed)
                }
                return totals
            }
        }
    }

    /// Claims and delivers batches until one is not full.
    private func deliverDue() async throws -> Totals {
        var totals: Totals = (0, 0, 0)
        while true {
            let (done, full) = try await deliverBatch()
            totals = (totals.sent + done.sent, totals.retried + done.retried, totals.failed + done.failed)
            if !full { return totals }
        }
    }

    /// Claims one batch, delivers it and marks it; returns its totals and whether it was full (more
    /// may be due).
    ///
    /// A node that dies mid-batch leaves its entries `sending`: they are queued again when the lease
    /// ends, and an entry delivered but not yet marked goes out again, once (with the same Message-ID
    /// or delivery id, so the receiver can tell).
    private func deliverBatch() async throws -> (totals: Totals, full: Bool) {
        var totals: Totals = (0, 0, 0)
        var batch = takeHandedOff(limit: batchSize)
        if batch.count < batchSize && (batch.isEmpty || claimIsDue()) {
            lastClaim.withLock { $0 = .now }
            let claimed = try await queue.claimDue(limit: batchSize - batch.count, now: clock(), owner: owner, leaseUntil: leaseEnd())
            if claimed.isEmpty && batch.isEmpty { backlog?.drained() }
            backlog?.claimed(claimed.count)
            batch += claimed
        }
        if batch.isEmpty { return (totals, false) }
        defer { backlog?.finished(batch.count) }
        let outcomes = await deliverer.deliver(batch)
        let sentAt = clock()
        var sent: [QueueEntry<Payload>] = []
        for (entry, outcome) in zip(batch, outcomes) {
            switch outcome {
            case .delivered(let detail):
                var delivered = entry
                delivered.deliveryDetail = detail
                sent.append(delivered)
            // The claim already counted this try.
            case .failed(let reason, let permanent, let keepingBody) where permanent || entry.attempts >= maxAttempts:
                try await fail(entry, reason: reason, keepingBody: keepingBody)
                totals.failed += 1
            case .failed(let reason, _, _):
                try await queue.markRetry(id: entry.id, error: reason, retryAt: clock().addingTimeInterval(backoff(entry.attempts)))
                totals.retried += 1
                logger.warning("\(noun) will be retried", metadata: ["id": "\(entry.id)", "error": "\(reason)"])
            }
        }
        let recorded = events == nil ? [] : Payload.deliveryEvents.map { kinds in
            sent.map { ResetEvent(kinds.sent, at: sentAt, deliverySeconds: max(0, sentAt.timeIntervalSince($0.createdAt))) }
        } ?? []
        try await queue.markSent(sent.map { ($0.id, $0.deliveryDetail) }, at: sentAt, events: recorded)
        await events?.announce(recorded)
        totals.sent += sent.count
        return (totals, batch.count == batchSize)
    }

    /// Whether a drain delivering handed-off entries should claim too (see the type's summary).
    private func claimIsDue() -> Bool {
        lastClaim.withLock { last in last.map { ContinuousClock.now - $0 >= claimInterval } ?? true }
    }

    /// Marks an entry failed for good, with its `failed` event.
    private func fail(_ entry: QueueEntry<Payload>, reason: String, keepingBody: Bool) async throws {
        let recorded = events == nil ? [] : Payload.deliveryEvents.map { [ResetEvent($0.failed, at: clock())] } ?? []
        try await queue.markFailed(id: entry.id, error: reason, keepingBody: keepingBody, events: recorded)
        await events?.announce(recorded)
        logger.error("\(noun) failed", metadata: ["id": "\(entry.id)", "error": "\(reason)"])
    }

    // MARK: - Running

    /// Requeues abandoned entries, then drains whenever woken or every `tick`, until cancelled or
    /// ``finish()``.
    ///
    /// A drain starts `gather` after its wake: the request that queued the entry answers first (so
    /// a known email's answer does not carry its delivery's cost, which timing would reveal), and
    /// entries queued meanwhile go out in the same drain.
    public func run(tick: Duration = .seconds(1), gather: Duration = .milliseconds(5)) async {
        await requeueAbandoned(includingOwn: true)
        running.store(true, ordering: .releasing)
        defer { running.store(false, ordering: .releasing) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [wakeContinuation] in
                while (try? await Task.sleep(for: tick)) != nil { wakeContinuation.yield() }
            }
            group.addTask {
                while (try? await Task.sleep(for: self.lease / 2)) != nil { await self.requeueAbandoned(includingOwn: false) }
            }
            wake()
            for await _ in wakeStream {
                if Task.isCancelled { break }
                try? await Task.sleep(for: gather)
                do {
                    try await drain()
                } catch {
                    logger.error("\(noun) queue drain failed", metadata: ["error": "\(error)"])
                }
            }
            group.cancelAll()
        }
    }

    /// Queues again the entries whose lease ended, and this owner's own when `includingOwn`
    /// (only at start: later, this node's own claims are live drains).
    private func requeueAbandoned(includingOwn: Bool) async {
        do {
            let requeued = try await queue.requeueAbandoned(now: clock(), owner: includingOwn ? owner : nil)
            guard requeued > 0 else { return }
            logger.notice("\(noun) left sending by a stopped sender queued again", metadata: ["count": "\(requeued)"])
            wake()
        } catch {
            logger.error("\(noun) queue unreadable", metadata: ["error": "\(error)"])
        }
    }

    /// Renews this owner's leases every third of `lease` until cancelled.
    private func renewLeases() async {
        while (try? await Task.sleep(for: lease / 3)) != nil {
            do {
                _ = try await queue.renewLeases(owner: owner, until: leaseEnd())
            } catch {
                logger.error("\(noun) leases not renewed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The end of a lease taken or renewed now.
    private func leaseEnd() -> Date {
        clock().addingTimeInterval(leaseSeconds)
    }

    /// The lease in seconds.
    private var leaseSeconds: TimeInterval {
        let (seconds, attoseconds) = lease.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
