import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A webhook receiver on a loopback port: a tiny Hummingbird app that records every POST it gets.
final class WebhookReceiver: Sendable {
    /// One request as it arrived.
    struct Received: Sendable {
        let path: String
        /// Header names in lower case.
        let headers: [String: String]
        let body: String
    }

    let port: Int
    private let group: ServiceGroup
    private let running: Task<Void, any Error>
    private let log: ReceivedLog

    private init(port: Int, group: ServiceGroup, running: Task<Void, any Error>, log: ReceivedLog) {
        self.port = port
        self.group = group
        self.running = running
        self.log = log
    }

    /// Starts a receiver on `port` (0: any free one) answering `status` to every POST, after `delay`.
    static func start(port: Int = 0, status: HTTPResponse.Status = .noContent, delay: Duration = .zero) async throws -> WebhookReceiver {
        let log = ReceivedLog()
        let router = Router()
        router.post("/**") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            log.entries.withLock { $0.append(Received(path: request.uri.path, headers: headers, body: String(buffer: body))) }
            if delay > .zero { try await Task.sleep(for: delay) }
            return status
        }
        let (bound, boundContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in boundContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "test.webhook-receiver", factory: { _ in SwiftLogNoOpLogHandler() }))
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "test.webhook-receiver.group")))
        let running = Task { try await group.run() }
        var iterator = bound.makeAsyncIterator()
        guard let actual = await iterator.next(), actual > 0 else {
            running.cancel()
            throw CancellationError()
        }
        return WebhookReceiver(port: actual, group: group, running: running, log: log)
    }

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String = "/hooks") -> String {
        "http://127.0.0.1:\(port)\(path)"
    }

    /// What arrived so far, in order.
    var received: [Received] {
        log.entries.withLock { $0 }
    }

    /// Stops listening; what arrived stays readable.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
    }
}

/// What a receiver got, shared with its route.
final class ReceivedLog: Sendable {
    let entries = Mutex<[WebhookReceiver.Received]>([])
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double = 10, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
