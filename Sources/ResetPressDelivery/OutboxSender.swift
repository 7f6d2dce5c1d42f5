import Foundation
import Logging
import ResetPressMail
import ResetPressStorage

/// Drains the outbox through the configured transport, with retries and exponential backoff.
///
/// Woken at once when a request queues mail, and every second otherwise. An entry whose
/// transport reports a permanent error, or that failed `maxAttempts` times, is marked `failed`
/// with the transport's last answer. Sealed bodies are opened with `sealer` just before sending;
/// an entry whose body is missing or does not open is marked `failed` with the reason (one that does
/// not open keeps its sealed body, for a retry once the key that sealed it is back).
///
/// Claims are made for `owner`, this node's id (see ``nodeID(dataDirectory:)``), with a lease the
/// sender renews every third of `lease` while a drain holds entries. `run` queues again, at start,
/// the entries this node left `sending` in an earlier run and those whose lease ended, and then
/// every half lease those whose lease ended: mail of a node that died is taken over within about
/// one lease, and mail a live node is sending is never taken from it.
public final class OutboxSender: Sendable {
    private let outbox: any MailOutbox
    private let sealer: MailSealer
    private let transport: @Sendable () -> any MailTransport
    private let logger: Logger
    /// This node's id, recorded as the owner of its claims.
    public let owner: String
    /// How long a claim holds without renewal.
    public let lease: Duration
    private let maxAttempts: Int
    private let batchSize: Int
    private let workers: Int
    private let clock: @Sendable () -> Date
    private let events: EventRecorder?
    private let backlog: OutboxBacklog?
    private let wakeStream: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation

    /// `sealer` opens sealed bodies (``InstallSecret/mailSealer()`` of the install that sealed them);
    /// `transport` is asked for each batch, so a settings change applies at once; `owner` must be
    /// stable across restarts of this node and distinct from every other node's. `events` records each
    /// mail sent (with its time from queuing to delivery) and failed for good, in the outbox write.
    /// A drain runs `workers` claim-send-mark loops side by side, so one batch's file syncs or SMTP round
    /// trips overlap another's commits. `backlog`, when given, learns what each claim takes and finishes.
    public init(
        outbox: any MailOutbox, sealer: MailSealer, transport: @escaping @Sendable () -> any MailTransport, logger: Logger, owner: String,
        lease: Duration = .seconds(60), maxAttempts: Int = 8, batchSize: Int = 128, workers: Int = 2, clock: @escaping @Sendable () -> Date = { Date() },
        events: EventRecorder? = nil, backlog: OutboxBacklog? = nil
    ) {
        self.backlog = backlog
        self.clock = clock
        self.events = events
        self.outbox = outbox
        self.sealer = sealer
        self.transport = transport
        self.logger = logger
        self.owner = owner
        self.lease = lease
        self.maxAttempts = maxAttempts
        self.batchSize = batchSize
        self.workers = max(1, workers)
        (wakeStream, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the sender to look at the outbox now.
    public func wake() {
        wakeContinuation.yield()
    }

    /// The delay before try number `attempt + 1`: 5 s doubling per try, at most an hour, ±20 % jitter.
    static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        let base = min(3600, 5 * pow(2, Double(max(0, attempt - 1))))
        return base * Double.random(in: 0.8...1.2)
    }

    /// The node id `"<host name>:<absolute data directory>"`: the same across restarts of a node,
    /// and distinct between the nodes of a cluster, each of which has its own data directory.
    public static func nodeID(dataDirectory: URL) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
        return "\(host):\(dataDirectory.absoluteURL.standardizedFileURL.path)"
    }

    /// The end of a lease taken or renewed now.
    private func leaseEnd() -> Date {
        let (seconds, attoseconds) = lease.components
        return clock().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Sends every due entry once; returns how many were sent, retried and failed.
    ///
    /// `workers` loops claim disjoint batches (a claim is one atomic update) until none is left. While
    /// they run, the leases of this owner's claims are renewed every third of `lease`.
    @discardableResult
    public func drain() async throws -> (sent: Int, retried: Int, failed: Int) {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.renewLeases() }
            defer { group.cancelAll() }
            return try await withThrowingTaskGroup(of: (sent: Int, retried: Int, failed: Int).self) { loops in
                for _ in 0..<workers { loops.addTask { try await self.sendDue() } }
                var totals = (sent: 0, retried: 0, failed: 0)
                for try await done in loops {
                    totals = (totals.sent + done.sent, totals.retried + done.retried, totals.failed + done.failed)
                }
                return totals
            }
        }
    }

    /// Renews this owner's leases every third of `lease` until cancelled.
    private func renewLeases() async {
        while (try? await Task.sleep(for: lease / 3)) != nil {
            do {
                _ = try await outbox.renewLeases(owner: owner, until: leaseEnd())
            } catch {
                logger.error("outbox leases not renewed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Claims and sends batches until none is left.
    ///
    /// A batch is handed to the transport at once (``MailTransport/send(batch:)``: one sync for many
    /// files), then every accepted entry is marked sent in one transaction with its `mail_sent` event.
    /// A node that dies mid-batch leaves its entries `sending`: they are queued again when the lease
    /// ends, and an entry the transport accepted but that was not yet marked is sent again, once (the
    /// same `Message-ID`; the file transport replaces its own file).
    private func sendDue() async throws -> (sent: Int, retried: Int, failed: Int) {
        var totals = (sent: 0, retried: 0, failed: 0)
        while true {
            let batch = try await outbox.claimDue(limit: batchSize, now: clock(), owner: owner, leaseUntil: leaseEnd())
            if batch.isEmpty {
                backlog?.drained()
                return totals
            }
            backlog?.claimed(batch.count)
            defer { backlog?.finished(batch.count) }
            var opened: [(entry: OutboxEntry, mail: OutgoingMail)] = []
            for entry in batch {
                switch openBody(of: entry) {
                case .success(let message):
                    opened.append((entry, OutgoingMail(message: message, messageID: entry.messageID, date: entry.createdAt)))
                case .failure(let reason):
                    // A body sealed under another key is kept: it goes out once that key is back (`mail retry`).
                    try await fail(entry, error: reason, keepingBody: true, totals: &totals)
                }
            }
            let outcomes = await transport().send(batch: opened.map(\.mail))
            let sentAt = clock()
            var sent: [OutboxEntry] = []
            for ((entry, _), outcome) in zip(opened, outcomes) {
                switch outcome {
                case .success: sent.append(entry)
                case .failure(let error):
                    let attempts = entry.attempts  // the claim already counted this try
                    if error.permanent || attempts >= maxAttempts {
                        try await fail(entry, error: error, totals: &totals)
                    } else {
                        let retryAt = clock().addingTimeInterval(Self.backoff(afterAttempt: attempts))
                        try await outbox.markRetry(id: entry.id, error: error.message, retryAt: retryAt)
                        totals.retried += 1
                        logger.warning("mail will be retried", metadata: ["id": "\(entry.id)", "error": "\(error.message)"])
                    }
                }
            }
            let recorded = events == nil ? [] : sent.map { entry in
                ResetEvent(.mailSent, at: sentAt, deliverySeconds: max(0, sentAt.timeIntervalSince(entry.createdAt)))
            }
            try await outbox.markSent(ids: sent.map(\.id), at: sentAt, events: recorded)
            await events?.announce(recorded)
            totals.sent += sent.count
            if batch.count < batchSize { return totals }
        }
    }

    /// Marks an entry failed, with its `mail_failed` event; its sealed body is deleted unless `keepingBody`.
    private func fail(
        _ entry: OutboxEntry, error: MailDeliveryError, keepingBody: Bool = false, totals: inout (sent: Int, retried: Int, failed: Int)
    ) async throws {
        let recorded = events == nil ? [] : [ResetEvent(.mailFailed, at: clock())]
        try await outbox.markFailed(id: entry.id, error: error.message, keepingBody: keepingBody, events: recorded)
        await events?.announce(recorded)
        totals.failed += 1
        logger.error("mail failed", metadata: ["id": "\(entry.id)", "error": "\(error.message)"])
    }

    /// The message of a claimed entry: its plain body, or its sealed body opened.
    private func openBody(of entry: OutboxEntry) -> Result<MailMessage, MailDeliveryError> {
        switch entry.body {
        case .plain(let message):
            return .success(message)
        case .sealed(let data):
            guard let message = try? sealer.open(data) else {
                return .failure(MailDeliveryError(
                    permanent: true,
                    message: "The sealed body does not open with this node's install secret: it was sealed under another secret.key. "
                        + "The sealed body is kept: put back, or copy from the node that queued it, the secret.key that sealed it, "
                        + "then run `resetpress mail retry`."))
            }
            return .success(message)
        case nil:
            return .failure(MailDeliveryError(permanent: true, message: "The body was deleted (it was sent or failed before); request a new reset."))
        }
    }

    /// Requeues abandoned entries, then drains whenever woken or every `tick`, until cancelled.
    ///
    /// At start it queues again this owner's `sending` entries (left by an earlier run) and those
    /// whose lease ended; then, every half `lease`, those whose lease ended. A drain starts `gather`
    /// after its wake: the request that queued the mail answers first (so a known email's answer
    /// does not carry its delivery's cost, which timing would reveal), and mail queued meanwhile
    /// goes out in the same drain.
    public func run(tick: Duration = .seconds(1), gather: Duration = .milliseconds(5)) async {
        await requeueAbandoned(includingOwn: true)
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
                    logger.error("outbox drain failed", metadata: ["error": "\(error)"])
                }
            }
            group.cancelAll()
        }
    }

    /// Queues again the entries whose lease ended, and this owner's own when `includingOwn`
    /// (only at start: later, this node's own claims are live drains).
    private func requeueAbandoned(includingOwn: Bool) async {
        do {
            let requeued = try await outbox.requeueAbandoned(now: clock(), owner: includingOwn ? owner : nil)
            guard requeued > 0 else { return }
            logger.notice("mail left sending by a stopped sender queued again", metadata: ["count": "\(requeued)"])
            wake()
        } catch {
            logger.error("outbox unreadable", metadata: ["error": "\(error)"])
        }
    }

    /// Stops `run` after its current drain.
    public func finish() {
        wakeContinuation.finish()
    }
}
