import Foundation
import Logging
import ResetPassword
import ResetPressDelivery
import ResetPressEngine
import ResetPressMail
import ResetPressStorage
import ResetPressStoreTestSupport
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
            let observed = ObservedOutbox(nodes[1].outbox)
            let b = OutboxSender(outbox: observed, sealer: Self.sealer, transport: { RecordingTransport(deliveries: deliveries) }, logger: Self.logger, owner: "b")
            let draining = Task { try await a.drain() }
            try #require(await eventually { gate.arrived == 1 }, "A never reached its transport")

            // B starts while A holds all five: its start-up requeue and two drains (the first and a tick's) take nothing.
            let running = Task { await b.run(tick: .milliseconds(50)) }
            try #require(await eventually { observed.requeues.count >= 1 && observed.claims.count >= 4 }, "B never ran: \(observed.summary)")
            #expect(observed.took == 0, "B took mail A is sending: \(observed.summary)")
            #expect(deliveries.counts.isEmpty, "B sent mail A is sending")
            #expect(try await Self.holders(nodes[1].outbox) == ["a": 5])
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
            let leaseEnd = clock.now.addingTimeInterval(60)
            let claimed = try await nodes[0].outbox.claimDue(limit: 10, now: clock.now, owner: "a", leaseUntil: leaseEnd)
            #expect(claimed.count == 5)
            let deliveries = Deliveries()
            let observed = ObservedOutbox(nodes[1].outbox)
            let b = OutboxSender(
                outbox: observed, sealer: Self.sealer, transport: { RecordingTransport(deliveries: deliveries) }, logger: Self.logger, owner: "b",
                lease: .milliseconds(400), clock: { clock.now })
            let running = Task { await b.run(tick: .milliseconds(50)) }

            // While A's lease runs (the test's clock stands still), B's start-up requeue, a half-lease
            // requeue and two drains take nothing.
            try #require(await eventually { observed.requeues.count >= 2 && observed.claims.count >= 4 }, "B never ran: \(observed.summary)")
            #expect(observed.took == 0, "B took mail whose lease runs: \(observed.summary)")
            #expect(deliveries.counts.isEmpty, "B sent mail whose lease runs")
            #expect(try await Self.holders(nodes[1].outbox) == ["a": 5])

            clock.advance(by: 61)
            #expect(await eventually { deliveries.counts.count == 5 }, "B did not take over once the lease ended: \(observed.summary)")
            b.finish()
            await running.value
            // Taken back only by a pass that ran at or after the end of A's lease.
            #expect(observed.passes.filter { $0.taken > 0 }.allSatisfy { $0.now >= leaseEnd }, "\(observed.summary)")
            #expect(deliveries.counts == Dictionary(uniqueKeysWithValues: messageIDs.map { ($0, 1) }))
            #expect(try await nodes[1].outbox.counts()[.sent] == 5)
        }
    }

    @Test func aSendLongerThanTheLeaseKeepsItByRenewing() async throws {
        try await withPostgres(nodes: 2) { nodes in
            // Both nodes read the test's clock: time moves only when the test moves it, so a stalled
            // process cannot make A's lease run out, and "longer than the lease" is exact.
            let clock = LeaseClock()
            let lease = 0.6
            let messageIDs = try await Self.queue(3, on: nodes[0].outbox, now: clock.now)
            let deliveries = Deliveries()
            let gate = Gate()
            defer { gate.open() }
            let a = OutboxSender(
                outbox: nodes[0].outbox, sealer: Self.sealer, transport: { RecordingTransport(deliveries: deliveries, gate: gate) }, logger: Self.logger, owner: "a",
                lease: .milliseconds(600), clock: { clock.now })
            let observed = ObservedOutbox(nodes[1].outbox)
            let b = OutboxSender(
                outbox: observed, sealer: Self.sealer, transport: { RecordingTransport(deliveries: deliveries) }, logger: Self.logger, owner: "b",
                lease: .milliseconds(600), clock: { clock.now })
            let draining = Task { try await a.drain() }
            try #require(await eventually { gate.arrived == 1 }, "A never reached its transport")
            let claimedAt = clock.now
            let running = Task { await b.run(tick: .milliseconds(50)) }

            // Six half-lease steps (three leases in all): after each, A's renewal carries its lease a
            // whole lease past the new time. Each step stays within the lease A holds, so B may never take it.
            for step in 1...6 {
                clock.advance(by: lease / 2)
                let renewed = await eventually {
                    let rows = (try? await nodes[1].outbox.list(status: .sending, limit: 10)) ?? []
                    return rows.count == 3 && rows.allSatisfy { $0.claimedBy == "a" && ($0.leaseUntil ?? .distantPast) >= clock.now.addingTimeInterval(lease - 0.001) }
                }
                let holders = try await Self.holders(nodes[1].outbox)
                try #require(renewed, "step \(step): A did not renew its lease a lease past \(clock.now); sending entries by owner: \(holders)")
            }
            #expect(clock.now.timeIntervalSince(claimedAt) >= 3 * lease - 0.001, "A held its claim three leases")

            // B had its chance after the last step: a half-lease requeue and a drain, all taking nothing.
            let (requeues, claims) = (observed.requeues.count, observed.claims.count)
            try #require(await eventually { observed.requeues.count > requeues && observed.claims.count >= claims + 2 }, "B never ran: \(observed.summary)")
            #expect(observed.took == 0, "B took mail A kept renewing: \(observed.summary)")
            #expect(deliveries.counts.isEmpty, "B sent mail A kept renewing")
            gate.open()
            #expect(try await draining.value.sent == 3)
            b.finish()
            await running.value
            #expect(deliveries.counts == Dictionary(uniqueKeysWithValues: messageIDs.map { ($0, 1) }))
        }
    }

    /// How many `sending` entries each owner holds.
    static func holders(_ outbox: any MailOutbox) async throws -> [String: Int] {
        try await outbox.list(status: .sending, limit: 100).reduce(into: [:]) { $0[$1.claimedBy ?? "nobody", default: 0] += 1 }
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


/// A node's outbox that records each claim and requeue pass its sender made, with the time the
/// sender passed and how many entries the pass took: the sign that a sender had its chance.
/// Everything else is forwarded (a new `MailOutbox` requirement needs a line here).
private final class ObservedOutbox: MailOutbox {
    struct Pass: Sendable, CustomStringConvertible {
        let kind: String
        let now: Date
        let taken: Int
        var description: String { "\(kind)@\(now.timeIntervalSince1970):\(taken)" }
    }

    private let base: any MailOutbox
    private let log = Mutex<[Pass]>([])

    init(_ base: any MailOutbox) { self.base = base }

    var passes: [Pass] { log.withLock { $0 } }
    var claims: [Pass] { passes.filter { $0.kind == "claim" } }
    var requeues: [Pass] { passes.filter { $0.kind == "requeue" } }
    /// How many entries all passes took.
    var took: Int { passes.reduce(0) { $0 + $1.taken } }
    var summary: String { "\(claims.count) claims, \(requeues.count) requeues, took \(took): \(passes.suffix(12))" }

    func claimDue(limit: Int, now: Date, owner: String, leaseUntil: Date) async throws -> [OutboxEntry] {
        let batch = try await base.claimDue(limit: limit, now: now, owner: owner, leaseUntil: leaseUntil)
        log.withLock { $0.append(Pass(kind: "claim", now: now, taken: batch.count)) }
        return batch
    }

    func requeueAbandoned(now: Date, owner: String?) async throws -> Int {
        let count = try await base.requeueAbandoned(now: now, owner: owner)
        log.withLock { $0.append(Pass(kind: "requeue", now: now, taken: count)) }
        return count
    }

    func enqueue(_ mail: [OutboxMail], now: Date) async throws -> [Int64] { try await base.enqueue(mail, now: now) }
    func renewLeases(owner: String, until: Date) async throws -> Int { try await base.renewLeases(owner: owner, until: until) }
    func markSent(_ sent: [(id: Int64, detail: String?)], at: Date, events: [ResetEvent]) async throws {
        try await base.markSent(sent, at: at, events: events)
    }
    func markRetry(id: Int64, error: String, retryAt: Date) async throws { try await base.markRetry(id: id, error: error, retryAt: retryAt) }
    func markFailed(id: Int64, error: String, keepingBody: Bool, events: [ResetEvent]) async throws {
        try await base.markFailed(id: id, error: error, keepingBody: keepingBody, events: events)
    }
    func retry(ids: [Int64]?, now: Date, by actor: AuditActor?) async throws -> Int { try await base.retry(ids: ids, now: now, by: actor) }
    func deleteFinished(before date: Date) async throws -> Int { try await base.deleteFinished(before: date) }
    func sealPlainBodies(kinds: [String], seal: @Sendable (MailMessage) throws -> Data) async throws -> Int {
        try await base.sealPlainBodies(kinds: kinds, seal: seal)
    }
    func list(status: QueueStatus?, limit: Int) async throws -> [OutboxEntry] { try await base.list(status: status, limit: limit) }
    func counts() async throws -> [QueueStatus: Int] { try await base.counts() }
    func nextDue() async throws -> Date? { try await base.nextDue() }
    func oldestSealed() async throws -> Date? { try await base.oldestSealed() }
    func entries(userID: Int64, limit: Int) async throws -> [OutboxEntry] { try await base.entries(userID: userID, limit: limit) }
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
