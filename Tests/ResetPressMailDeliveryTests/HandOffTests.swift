import Foundation
import Logging
import ResetPressDelivery
import ResetPressMail
import ResetPressStorage
import Synchronization
import Testing

/// Mail handed from the request to this node's running sender: inserted already claimed, delivered
/// from memory without a claim or an open, and taken over like any claim when that goes wrong.
@Suite struct HandOffTests {
    /// A transport that records the subjects it was given.
    final class RecordingTransport: MailTransport {
        private let subjects = Mutex<[String]>([])
        var sent: [String] { subjects.withLock { $0 } }

        func send(_ message: MailMessage, messageID: String, date: Date) async throws(MailDeliveryError) -> MailReceipt {
            subjects.withLock { $0.append(message.subject) }
            return MailReceipt(messageID: messageID, detail: "recorded")
        }
    }

    /// The key the sender opens bodies with; the stored bodies of handed-off mail are sealed under
    /// another, so delivering one proves the sender never opened what it stored.
    static let senderKey = InstallSecret(bytes: Data(repeating: 7, count: 32)).mailSealer()
    static let otherKey = InstallSecret(bytes: Data(repeating: 8, count: 32)).mailSealer()

    static func mail(_ subject: String, user: Int64) throws -> OutboxMail {
        let message = MailMessage(
            from: try MailAddress(email: "no-reply@example.com"), to: [try MailAddress(email: "user\(user)@example.com")],
            subject: subject, textBody: "Your code is 123456.\n")
        return OutboxMail(kind: "reset_code", message: message, messageID: "<\(subject.hashValue)@example.com>", userID: user)
    }

    static func code(user: Int64, at now: Date) -> NewResetCode {
        NewResetCode(
            userID: user, email: "user\(user)@example.com", codeHash: Data([UInt8(user), 9]), linkHash: Data([UInt8(user), 1]),
            createdAt: now, expiresAt: now.addingTimeInterval(900), requestIP: "127.0.0.1")
    }

    /// Issues a code for `user` with its mail under `claim` (sealed under the other key), and hands
    /// the mail's entry, in clear, to `sender`.
    static func issueAndHandOff(_ subject: String, user: Int64, claim: QueueClaim, database: SQLiteDatabase, sender: OutboxSender) async throws {
        let plain = try mail(subject, user: user)
        let now = Date()
        let change = ResetChange(.issue(code(user: user, at: now)), effects: ResetEffects(mail: try plain.sealed(with: otherKey), mailClaim: claim), now: now)
        let id = try #require(try await database.resetCodes.applyClaimingMail(change).claimedMailID)
        sender.handOff(OutboxEntry(id: id, payload: plain, now: now, claim: claim))
    }

    static func waitUntil(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<500 where !(try await condition()) { try await Task.sleep(for: .milliseconds(10)) }
    }

    /// Runs `body` with a fresh SQLite database and a sender of its outbox, as node `node-a`, that
    /// opens bodies with `key` and records what it sends.
    static func withSender(
        opening key: MailSealer, _ body: (SQLiteDatabase, OutboxSender, RecordingTransport) async throws -> Void
    ) async throws {
        let folder = try TemporaryDirectory("handoff")
        defer { folder.remove() }
        let database = try SQLiteDatabase(dataDirectory: folder.url.appendingPathComponent("data"))
        let transport = RecordingTransport()
        let sender = OutboxSender(
            outbox: database.outbox, sealer: key, transport: { transport }, logger: Logger(label: "test.handoff"), owner: "node-a")
        try await body(database, sender, transport)
    }

    @Test func aRunningSenderDeliversHandedOffMailFromMemoryAndStillClaimsQueuedMail() async throws {
        try await Self.withSender(opening: Self.senderKey) { database, sender, transport in
            #expect(sender.claimForHandOff() == nil, "no claim is given while the sender does not run")
            let running = Task { await sender.run(tick: .milliseconds(50)) }
            defer { sender.finish() }
            try await Self.waitUntil { sender.claimForHandOff() != nil }
            let claim = try #require(sender.claimForHandOff())
            #expect(claim.owner == "node-a")

            try await Self.issueAndHandOff("handed", user: 1, claim: claim, database: database, sender: sender)
            let queued = try await database.outbox.enqueue(try Self.mail("queued", user: 2).sealed(with: Self.senderKey), now: Date())
            try await Self.waitUntil { try await database.outbox.counts()[.sent] == 2 }

            #expect(Set(transport.sent) == ["handed", "queued"])
            let entries = try await database.outbox.list(status: nil, limit: 10)
            #expect(entries.allSatisfy { $0.status == .sent && $0.attempts == 1 && $0.claimedBy == nil })
            #expect(entries.contains { $0.id == queued })
            sender.finish()
            await running.value
            #expect(sender.claimForHandOff() == nil, "no claim is given once the sender stopped")
        }
    }

    @Test func aHandedOffEntryWithLessThanHalfItsLeaseLeftIsLeftToTheTakeOver() async throws {
        try await Self.withSender(opening: Self.otherKey) { database, sender, transport in
            // A claim with 20 s left of the sender's 60-s lease, as if the entry waited 40 s.
            let claim = QueueClaim(owner: "node-a", leaseUntil: Date().addingTimeInterval(20))
            try await Self.issueAndHandOff("stale", user: 1, claim: claim, database: database, sender: sender)

            #expect(try await sender.drain() == (sent: 0, retried: 0, failed: 0))
            #expect(transport.sent.isEmpty, "the stale entry is not delivered from memory")
            #expect(try await database.outbox.counts()[.sending] == 1, "it stays claimed until taken over")

            // Its owner's restart (or the lease's end) queues it again; a claim then opens the stored body.
            #expect(try await database.outbox.requeueAbandoned(now: Date(), owner: "node-a") == 1)
            #expect(try await sender.drain() == (sent: 1, retried: 0, failed: 0))
            #expect(transport.sent == ["stale"])
        }
    }
}
