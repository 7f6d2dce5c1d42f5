import Foundation
import Logging
import ResetPassword
import ResetPressDelivery
import ResetPressMail
import ResetPressStorage
import Synchronization
import Testing

/// Two ``OutboxSender``s on one PostgreSQL database, as two nodes of a cluster: a node that starts
/// never takes mail another live node is sending, and the mail of a node that died goes out once
/// its lease ends. Every message must be delivered exactly once.
@Suite struct OutboxLeaseTests {
    static let logger = Logger(label: "test.outbox-lease")
    /// Opens sealed bodies (these tests queue plain ones).
    static let sealer = InstallSecret(bytes: Data(repeating: 1, count: 32)).mailSealer()

    @Test func aNodeStartingLeavesMailAnotherNodeIsSendingAlone() async throws {
        try await withPostgres(nodes: 2) { nodes in
            let messageIDs = try await Self.queue(5, on: nodes[0].outbox, now: Date())
            let deliveries = Deliveries()
            let gate = Gate()
            defer { gate.open() }
            let a = OutboxSender(
                outbox: nodes[0].outbox, sealer: Self.sealer, transport: { RecordingTransport(deliveries: deliveries, gate: gate) }, logger: Self.logger, owner: "a")
            let b = OutboxSender(outbox: nodes[1].outbox, sealer: Self.sealer, transport: { RecordingTransport(deliveries: deliveries) }, logger: Self.logger, owner: "b")
            let draining = Task { try await a.drain() }
            try #require(await eventually { gate.arrived == 1 })

            let running = Task { await b.run(tick: .milliseconds(50)) }
            try await Task.sleep(for: .milliseconds(500))
            #expect(deliveries.counts.isEmpty, "B took mail A is sending")
            gate.open()
            #expect(try await draining.value.sent == 5)
            b.finish()
            await running.value
            #expect(deliveries.counts == Dictionary(uniqueKeysWithValues: messageIDs.map { ($0, 1) }))
            #expect(try await nodes[1].outbox.counts()[.sent] == 5)
        }
    }

    @Test func mailOfANodeThatDiedGoesOutOnceItsLeaseEnds() async throws {
        try await withPostgres(nodes: 2) { nodes in
            let clock = LeaseClock()
            let messageIDs = try await Self.queue(5, on: nodes[0].outbox, now: clock.now)
            // Node A claims the mail and dies: it never sends, marks or renews anything again.
            let claimed = try await nodes[0].outbox.claimDue(limit: 10, now: clock.now, owner: "a", leaseUntil: clock.now.addingTimeInterval(60))
            #expect(claimed.count == 5)
            let deliveries = Deliveries()
            let b = OutboxSender(
                outbox: nodes[1].outbox, sealer: Self.sealer, transport: { RecordingTransport(deliveries: deliveries) }, logger: Self.logger, owner: "b",
                lease: .milliseconds(400), clock: { clock.now })
            let running = Task { await b.run(tick: .milliseconds(50)) }
            try await Task.sleep(for: .milliseconds(500))
            #expect(deliveries.counts.isEmpty, "B took mail whose lease runs")

            clock.advance(by: 61)
            #expect(await eventually { deliveries.counts.count == 5 })
            b.finish()
            await running.value
            #expect(deliveries.counts == Dictionary(uniqueKeysWithValues: messageIDs.map { ($0, 1) }))
            #expect(try await nodes[1].outbox.counts()[.sent] == 5)
        }
    }

    @Test func aSendLongerThanTheLeaseKeepsItByRenewing() async throws {
        try await withPostgres(nodes: 2) { nodes in
            let messageIDs = try await Self.queue(3, on: nodes[0].outbox, now: Date())
            let deliveries = Deliveries()
            let gate = Gate()
            defer { gate.open() }
            let a = OutboxSender(
                outbox: nodes[0].outbox, sealer: Self.sealer, transport: { RecordingTransport(deliveries: deliveries, gate: gate) }, logger: Self.logger, owner: "a",
                lease: .milliseconds(1500))
            let b = OutboxSender(
                outbox: nodes[1].outbox, sealer: Self.sealer, transport: { RecordingTransport(deliveries: deliveries) }, logger: Self.logger, owner: "b",
                lease: .milliseconds(1500))
            let draining = Task { try await a.drain() }
            try #require(await eventually { gate.arrived == 1 })

            let running = Task { await b.run(tick: .milliseconds(50)) }
            try await Task.sleep(for: .milliseconds(3500))
            #expect(deliveries.counts.isEmpty, "B took mail A kept renewing")
            gate.open()
            #expect(try await draining.value.sent == 3)
            b.finish()
            await running.value
            #expect(deliveries.counts == Dictionary(uniqueKeysWithValues: messageIDs.map { ($0, 1) }))
        }
    }

    /// Queues `count` messages and returns their Message-IDs.
    static func queue(_ count: Int, on outbox: any MailOutbox, now: Date) async throws -> [String] {
        var messageIDs: [String] = []
        for index in 0..<count {
            let mail = try testMail(to: "user\(index)@example.com")
            _ = try await outbox.enqueue(mail, now: now)
            messageIDs.append(mail.messageID)
        }
        return messageIDs
    }
}

/// Whether `condition` holds within `timeout`, looked at every 20 ms.
private func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// A clock the test moves forward.
private final class LeaseClock: Sendable {
    private let time = Mutex(Date())
    var now: Date { time.withLock { $0 } }
    func advance(by seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Deliveries per Message-ID, shared by the transports of every node.
private final class Deliveries: Sendable {
    private let byMessageID = Mutex<[String: Int]>([:])
    var counts: [String: Int] { byMessageID.withLock { $0 } }
    func record(_ messageID: String) { byMessageID.withLock { $0[messageID, default: 0] += 1 } }
}

/// Holds every send that arrives until opened.
private final class Gate: Sendable {
    private let state = Mutex<(open: Bool, arrived: Int, waiting: [CheckedContinuation<Void, Never>])>((false, 0, []))

    /// How many sends reached the gate.
    var arrived: Int { state.withLock { $0.arrived } }

    /// Returns once the gate is open.
    func pass() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                state.arrived += 1
                if !state.open { state.waiting.append(continuation) }
                return state.open
            }
            if open { continuation.resume() }
        }
    }

    /// Lets every held and later send through.
    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}

/// A transport that records each message it accepts, after passing `gate` when there is one.
private struct RecordingTransport: MailTransport {
    let deliveries: Deliveries
    var gate: Gate?

    func send(_ message: MailMessage, messageID: String, date: Date) async throws(MailDeliveryError) -> MailReceipt {
        await gate?.pass()
        deliveries.record(messageID)
        return MailReceipt(messageID: messageID, detail: "recorded")
    }
}
