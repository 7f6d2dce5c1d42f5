import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ResetPressStorage

/// Drains the webhook queue: signs each body and posts it, with retries and exponential backoff.
///
/// Woken when an event queues deliveries, and every `tick` otherwise. A 2xx answer within the
/// timeout is delivery; anything else (another status, a refused connection, a timeout) is retried
/// after ``backoff(afterAttempt:)`` until `maxAttempts` tries, then the entry is `failed` with the
/// last error (`resetpress webhooks retry` queues it again). Redirects are not followed: a 3xx
/// counts as a failed try, so a body is only ever posted to the URL the owner configured.
///
/// One batch's deliveries are posted concurrently, so one slow receiver does not hold up the others.
/// Claims and leases work as ``OutboxSender``'s: a node's claims are renewed every third of `lease`
/// while it sends, `run` queues again at start what this node left `sending`, and every half lease
/// what any node's lapsed lease left.
public final class WebhookSender: Sendable {
    /// What each try reads from the live settings.
    public struct Configuration: Sendable {
        /// The signing secret.
        public var secret: String
        /// The limit on one call.
        public var timeout: Duration

        public init(secret: String, timeout: Duration) {
            self.secret = secret
            self.timeout = timeout
        }
    }

    private let queue: any WebhookQueue
    private let configuration: @Sendable () -> Configuration
    private let client: HTTPClient
    private let logger: Logger
    /// This node's id, recorded as the owner of its claims.
    public let owner: String
    /// How long a claim holds without renewal.
    public let lease: Duration
    private let maxAttempts: Int
    private let batchSize: Int
    private let backoff: @Sendable (Int) -> TimeInterval
    private let clock: @Sendable () -> Date
    private let wakeStream: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation

    /// A sender over `queue`; `configuration` is read for each batch, so a settings change applies at
    /// once. `backoff` gives the delay after a failed try number n (tests shorten it).
    public init(
        queue: any WebhookQueue, configuration: @escaping @Sendable () -> Configuration, owner: String, client: HTTPClient = webhookHTTPClient,
        logger: Logger = Logger(label: "resetpress.webhooks"), lease: Duration = .seconds(60), maxAttempts: Int = 10, batchSize: Int = 16,
        backoff: @escaping @Sendable (Int) -> TimeInterval = WebhookSender.backoff(afterAttempt:), clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.queue = queue
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.owner = owner
        self.lease = lease
        self.maxAttempts = maxAttempts
        self.batchSize = batchSize
        self.backoff = backoff
        self.clock = clock
        (wakeStream, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The delay before try number `attempt + 1`: 10 s doubling per try, at most an hour, ±20 % jitter
    /// (ten tries span about two and a half hours).
    public static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(3600, 10 * pow(2, Double(max(0, attempt - 1)))) * Double.random(in: 0.8...1.2)
    }

    /// Asks the sender to look at the queue now.
    public func wake() {
        wakeContinuation.yield()
    }

    /// Stops `run` after its current drain.
    public func finish() {
        wakeContinuation.finish()
    }

    // MARK: - Draining

    /// Sends every due entry once; returns how many were sent, retried and failed.
    @discardableResult
    public func drain() async throws -> (sent: Int, retried: Int, failed: Int) {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.renewLeases() }
            defer { group.cancelAll() }
            var totals = (sent: 0, retried: 0, failed: 0)
            while true {
                let batch = try await queue.claimDue(limit: batchSize, now: clock(), owner: owner, leaseUntil: leaseEnd())
                if batch.isEmpty { return totals }
                let settings = configuration()
                let outcomes = await withTaskGroup(of: (WebhookEntry, String?).self) { posts in
                    for entry in batch {
                        posts.addTask { (entry, await self.post(entry, settings: settings)) }
                    }
                    var outcomes: [(WebhookEntry, String?)] = []
                    for await outcome in posts { outcomes.append(outcome) }
                    return outcomes
                }
                for (entry, error) in outcomes {
                    try await record(entry, error: error, into: &totals)
                }
                if batch.count < batchSize { return totals }
            }
        }
    }

    /// Posts one entry; nil when the receiver took it, otherwise why not.
    private func post(_ entry: WebhookEntry, settings: Configuration) async -> String? {
        guard let body = entry.body else { return "the body was deleted" }
        let signature = WebhookSignature.header(body: body, secret: settings.secret, time: clock())
        // The client's deadline ends at the answer's head; the race also bounds a body that trickles in.
        let timeout = settings.timeout
        let outcome = await withTaskGroup(of: PostOutcome?.self) { group in
            group.addTask { .answered(await self.call(entry, body: body, signature: signature, timeout: timeout)) }
            group.addTask { (try? await Task.sleep(for: timeout)) == nil ? nil : .timedOut }
            var first: PostOutcome?
            for await result in group {
                if let result {
                    first = result
                    break
                }
            }
            group.cancelAll()
            return first ?? .timedOut
        }
        switch outcome {
        case .answered(let error): return error
        case .timedOut: return "no answer within \(timeout)"
        }
    }

    private enum PostOutcome: Sendable {
        case answered(String?)
        case timedOut
    }

    /// Makes the call and reads (and drops) the answer; nil for a 2xx answer, otherwise why not.
    private func call(_ entry: WebhookEntry, body: String, signature: String, timeout: Duration) async -> String? {
        var request = HTTPClientRequest(url: entry.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "ResetPress-Webhooks/1")
        request.headers.add(name: "X-ResetPress-Event", value: entry.event)
        request.headers.add(name: "X-ResetPress-Delivery", value: entry.deliveryID)
        request.headers.add(name: WebhookSignature.header, value: signature)
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds), logger: logger)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(response.status.code) ? nil : "HTTP \(response.status.code) \(response.status.reasonPhrase)"
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return "no answer within \(timeout)"
        } catch {
            return "\(error)"
        }
    }

    /// Marks a tried entry sent, to retry or failed.
    private func record(_ entry: WebhookEntry, error: String?, into totals: inout (sent: Int, retried: Int, failed: Int)) async throws {
        guard let error else {
            try await queue.markSent(id: entry.id, at: clock())
            totals.sent += 1
            return
        }
        // The claim already counted this try.
        if entry.attempts >= maxAttempts || entry.body == nil {
            try await queue.markFailed(id: entry.id, error: error)
            totals.failed += 1
            logger.error("webhook failed", metadata: ["id": "\(entry.id)", "event": "\(entry.event)", "url": "\(entry.url)", "error": "\(error)"])
        } else {
            try await queue.markRetry(id: entry.id, error: error, retryAt: clock().addingTimeInterval(backoff(entry.attempts)))
            totals.retried += 1
            logger.warning("webhook will be retried", metadata: ["id": "\(entry.id)", "url": "\(entry.url)", "error": "\(error)"])
        }
    }

    // MARK: - Running

    /// Queues again what stopped senders left, then drains whenever woken or every `tick`, until
    /// cancelled or ``finish()``.
    public func run(tick: Duration = .seconds(1)) async {
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
                do {
                    try await drain()
                } catch {
                    logger.error("webhook queue drain failed", metadata: ["error": "\(error)"])
                }
            }
            group.cancelAll()
        }
    }

    private func requeueAbandoned(includingOwn: Bool) async {
        do {
            let requeued = try await queue.requeueAbandoned(now: clock(), owner: includingOwn ? owner : nil)
            guard requeued > 0 else { return }
            logger.notice("webhooks left sending by a stopped sender queued again", metadata: ["count": "\(requeued)"])
            wake()
        } catch {
            logger.error("webhook queue unreadable", metadata: ["error": "\(error)"])
        }
    }

    private func renewLeases() async {
        while (try? await Task.sleep(for: lease / 3)) != nil {
            do {
                _ = try await queue.renewLeases(owner: owner, until: leaseEnd())
            } catch {
                logger.error("webhook leases not renewed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func leaseEnd() -> Date {
        let (seconds, attoseconds) = lease.components
        return clock().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// The process's HTTP client for webhooks: like `HTTPClient.shared`, but it follows no redirect
/// (a signed body goes only where the owner said). Never shut down, like the shared one.
public let webhookHTTPClient: HTTPClient = {
    var configuration = HTTPClient.Configuration(certificateVerification: .fullVerification, redirectConfiguration: .disallow)
    configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
    return HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration,
        backgroundActivityLogger: Logger(label: "resetpress.webhooks.http", factory: { _ in SwiftLogNoOpLogHandler() }))
}()
