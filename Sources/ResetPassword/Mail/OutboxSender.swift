import Foundation
import Logging
import ResetPressMail
import ResetPressStorage

/// Drains the outbox through the configured transport, with retries and exponential backoff.
///
/// Woken at once when a request queues mail, and every second otherwise. An entry whose
/// transport reports a permanent error, or that failed `maxAttempts` times, is marked `failed`
/// with the transport's last answer. Entries left `sending` by a crash are queued again at start.
public final class OutboxSender: Sendable {
    private let outbox: any MailOutbox
    private let transport: @Sendable () -> any MailTransport
    private let logger: Logger
    private let maxAttempts: Int
    private let batchSize: Int
    private let clock: @Sendable () -> Date
    private let wakeStream: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation

    /// `transport` is asked for each batch, so a settings change applies at once.
    public init(
        outbox: any MailOutbox, transport: @escaping @Sendable () -> any MailTransport, logger: Logger,
        maxAttempts: Int = 8, batchSize: Int = 32, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.clock = clock
        self.outbox = outbox
        self.transport = transport
        self.logger = logger
        self.maxAttempts = maxAttempts
        self.batchSize = batchSize
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

    /// Sends every due entry once; returns how many were sent, retried and failed.
    @discardableResult
    public func drain() async throws -> (sent: Int, retried: Int, failed: Int) {
        var totals = (sent: 0, retried: 0, failed: 0)
        while true {
            let batch = try await outbox.claimDue(limit: batchSize, now: clock())
            if batch.isEmpty { return totals }
            let transport = transport()
            for entry in batch {
                let outcome: Result<MailReceipt, MailDeliveryError>
                do {
                    outcome = .success(try await transport.send(entry.message, messageID: entry.messageID, date: entry.createdAt))
                } catch {
                    outcome = .failure(error)
                }
                switch outcome {
                case .success:
                    try await outbox.markSent(id: entry.id, at: clock())
                    totals.sent += 1
                case .failure(let error):
                    let attempts = entry.attempts  // the claim already counted this try
                    if error.permanent || attempts >= maxAttempts {
                        try await outbox.markFailed(id: entry.id, error: error.message)
                        totals.failed += 1
                        logger.error("mail failed", metadata: ["id": "\(entry.id)", "error": "\(error.message)"])
                    } else {
                        let retryAt = clock().addingTimeInterval(Self.backoff(afterAttempt: attempts))
                        try await outbox.markRetry(id: entry.id, error: error.message, retryAt: retryAt)
                        totals.retried += 1
                        logger.warning("mail will be retried", metadata: ["id": "\(entry.id)", "error": "\(error.message)"])
                    }
                }
            }
            if batch.count < batchSize { return totals }
        }
    }

    /// Requeues abandoned entries, then drains whenever woken or every `tick`, until cancelled.
    ///
    /// A drain starts `gather` after its wake: the request that queued the mail answers first (so
    /// a known email's answer does not carry its delivery's cost, which timing would reveal), and
    /// mail queued meanwhile goes out in the same drain.
    public func run(tick: Duration = .seconds(1), gather: Duration = .milliseconds(5)) async {
        do {
            let requeued = try await outbox.requeueAbandoned(now: clock())
            if requeued > 0 { logger.notice("mail left sending by an earlier run queued again", metadata: ["count": "\(requeued)"]) }
        } catch {
            logger.error("outbox unreadable", metadata: ["error": "\(error)"])
        }
        let ticker = Task { [wakeContinuation] in
            while !Task.isCancelled {
                try? await Task.sleep(for: tick)
                wakeContinuation.yield()
            }
        }
        defer { ticker.cancel() }
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
    }

    /// Stops `run` after its current drain.
    public func finish() {
        wakeContinuation.finish()
    }
}
