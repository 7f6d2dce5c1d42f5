import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ResetPressDelivery
import ResetPressStorage

/// Delivers claimed webhook entries: signs each body and posts it, all of a batch's posts at once,
/// so one slow receiver does not hold up the others.
///
/// A 2xx answer within the timeout is delivery (with no detail: the webhook queue keeps no
/// answer); anything else (another status, a refused connection, a timeout) is a failed try,
/// retried by the sender. Redirects are not followed: a 3xx counts as a failed try, so a body is
/// only ever posted to the URL the owner configured.
public struct WebhookDeliverer: QueueDeliverer {
    /// What each batch reads from the live settings.
    public struct Configuration: Sendable {
        /// The signing secrets, each giving one signature (``WebhookSignature/secrets(settings:installSecret:)``).
        public var secrets: [String]
        /// The limit on one call.
        public var timeout: Duration

        public init(secrets: [String], timeout: Duration) {
            self.secrets = secrets
            self.timeout = timeout
        }
    }

    private let configuration: @Sendable () -> Configuration
    private let client: HTTPClient
    private let logger: Logger
    private let clock: @Sendable () -> Date

    /// `configuration` is read for each batch, so a settings change applies at once.
    public init(
        configuration: @escaping @Sendable () -> Configuration, client: HTTPClient = webhookHTTPClient, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.clock = clock
    }

    public func deliver(_ batch: [WebhookEntry]) async -> [DeliveryOutcome] {
        let settings = configuration()
        return await withTaskGroup(of: (Int, DeliveryOutcome).self) { posts in
            for (index, entry) in batch.enumerated() {
                posts.addTask { (index, await self.post(entry, settings: settings)) }
            }
            var outcomes = [DeliveryOutcome](repeating: .failed("not posted", permanent: false), count: batch.count)
            for await (index, outcome) in posts { outcomes[index] = outcome }
            return outcomes
        }
    }

    /// Posts one entry and says how it went.
    private func post(_ entry: WebhookEntry, settings: Configuration) async -> DeliveryOutcome {
        guard let body = entry.body else { return .failed("the body was deleted", permanent: true) }
        let signature = WebhookSignature.header(body: body, secrets: settings.secrets, time: clock())
        // The client's deadline ends at the answer's head; the race also bounds a body that trickles in.
        let timeout = settings.timeout
        let error = await withTaskGroup(of: String??.self) { group in
            group.addTask { .some(await self.call(entry, body: body, signature: signature, timeout: timeout)) }
            group.addTask { (try? await Task.sleep(for: timeout)) == nil ? nil : .some("no answer within \(timeout)") }
            var first: String??
            for await result in group where result != nil {
                first = result
                break
            }
            group.cancelAll()
            return first ?? "no answer within \(timeout)"
        }
        return error.map { .failed($0, permanent: false) } ?? .delivered(detail: nil)
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
}

/// The webhook queue's sender.
public typealias WebhookSender = QueueSender<QueuedWebhook>

extension QueueSender where Payload == QueuedWebhook {
    /// A sender of `queue` through a ``WebhookDeliverer``. Tries `maxAttempts` times, `backoff` apart
    /// (by default 10 s doubling: ten tries span about two and a half hours), in batches of 16.
    public convenience init(
        queue: any WebhookQueue, configuration: @escaping @Sendable () -> WebhookDeliverer.Configuration, owner: String,
        client: HTTPClient = webhookHTTPClient, logger: Logger = Logger(label: "resetpress.webhooks"), lease: Duration = .seconds(60),
        maxAttempts: Int = 10, batchSize: Int = 16, backoff: @escaping @Sendable (Int) -> TimeInterval = WebhookSender.webhookBackoff(afterAttempt:),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.init(
            queue: queue.erased, deliverer: WebhookDeliverer(configuration: configuration, client: client, logger: logger, clock: clock), noun: "webhook",
            logger: logger, owner: owner, lease: lease, maxAttempts: maxAttempts, batchSize: batchSize, backoff: backoff, clock: clock)
    }

    /// The delay before webhook try number `attempt + 1`: 10 s doubling per try, at most an hour, ±20 % jitter.
    public static func webhookBackoff(afterAttempt attempt: Int) -> TimeInterval {
        backoff(base: 10, afterAttempt: attempt)
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
