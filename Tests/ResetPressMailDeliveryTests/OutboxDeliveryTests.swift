import Foundation
import Logging
import ResetPassword
import ResetPressDelivery
import ResetPressMail
import ResetPressStorage
import ResetPressTestSupport
import Synchronization
import Testing

/// The outbox drained by ``OutboxSender`` over a real SQLite database into a real SMTP server.
@Suite struct OutboxDeliveryTests {
    /// A clock the test moves forward, so backoff delays pass at once.
    final class TestClock: Sendable {
        private let now = Mutex(Date())
        func read() -> Date { now.withLock { $0 } }
        func advance(by seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    /// Seals the queued reset mail, as the reset flow does, and opens it in the sender.
    static let sealer = InstallSecret(bytes: Data(repeating: 7, count: 32)).mailSealer()

    static func queue(_ outbox: SQLiteMailOutbox, to email: String, subject: String, now: Date) async throws -> Int64 {
        let message = MailMessage(
            from: try MailAddress(email: "no-reply@example.com", name: "Example Site"), to: [try MailAddress(email: email)],
            subject: subject, textBody: "Your code is 123456.\n")
        return try await outbox.enqueue(
            try OutboxMail(kind: "reset_code", message: message, messageID: MessageID.generate(domain: "example.com")).sealed(with: sealer), now: now)
    }

    /// A transport whose batches wait (up to 5 s) until another batch is in flight beside them.
    final class OverlapTransport: MailTransport {
        private let state = Mutex((inFlight: 0, mostInFlight: 0, sent: [String]()))
        var mostInFlight: Int { state.withLock { $0.mostInFlight } }
        var sent: [String] { state.withLock { $0.sent } }

        func send(_ message: MailMessage, messageID: String, date: Date) async throws(MailDeliveryError) -> MailReceipt {
            try await send(batch: [OutgoingMail(message: message, messageID: messageID, date: date)])[0].get()
        }

        func send(batch: [OutgoingMail]) async -> [Result<MailReceipt, MailDeliveryError>] {
            state.withLock { state in
                state.inFlight += 1
                state.mostInFlight = max(state.mostInFlight, state.inFlight)
            }
            let deadline = ContinuousClock.now + .seconds(5)
            while state.withLock({ $0.mostInFlight < 2 }) && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(5))
            }
            return state.withLock { state in
                state.inFlight -= 1
                state.sent += batch.map(\.messageID)
                return batch.map { .success(MailReceipt(messageID: $0.messageID, detail: "overlap")) }
            }
        }

        func close() async {}
    }

    @Test func aDrainSendsBatchesSideBySideAndEachMessageOnce() async throws {
        let folder = try TemporaryDirectory("outbox-workers")
        defer { folder.remove() }
        let database = try SQLiteDatabase(dataDirectory: folder.url.appendingPathComponent("data"))
        let transport = OverlapTransport()
        let sender = OutboxSender(
            outbox: database.outbox, sealer: Self.sealer, transport: { transport }, logger: Logger(label: "test.outbox"), owner: "test",
            batchSize: 2, workers: 2)
        for index in 0..<6 {
            _ = try await Self.queue(database.outbox, to: "user\(index)@example.org", subject: "Mail \(index)", now: Date())
        }
        let totals = try await sender.drain()
        #expect(totals == (sent: 6, retried: 0, failed: 0))
        #expect(transport.mostInFlight == 2, "the two workers' batches never overlapped")
        let queued = try await database.outbox.list(status: .sent, limit: 10).map(\.messageID)
        #expect(transport.sent.sorted() == queued.sorted())
        #expect(Set(transport.sent).count == 6)
    }

    @Test func mailStaysQueuedWhileTheServerIsDownAndGoesOutOnceItIsUp() async throws {
        let folder = try TemporaryDirectory("outbox-down")
        defer { folder.remove() }
        let database = try SQLiteDatabase(dataDirectory: folder.url.appendingPathComponent("data"))
        let outbox = database.outbox
        let clock = TestClock()
        let closed = try ClosedPort()
        let port = closed.port
        let transport = SMTPTransport(configuration: SMTPConfiguration(
            host: "127.0.0.1", port: port, security: .none, connectTimeout: .seconds(5), commandTimeout: .seconds(10)))
        let sender = OutboxSender(
            outbox: outbox, sealer: Self.sealer, transport: { transport }, logger: Logger(label: "test.outbox"), owner: "test",
            clock: { clock.read() })
        let id = try await Self.queue(outbox, to: "alice@example.org", subject: "Queued while down", now: clock.read())

        let first = try await sender.drain()
        #expect(first.sent == 0 && first.retried == 1 && first.failed == 0)
        let waiting = try #require(try await outbox.list(status: nil, limit: 10).first { $0.id == id })
        #expect(waiting.status == .queued)
        #expect(waiting.attempts == 1)
        if case .sealed = waiting.body {} else { Issue.record("a queued reset mail must stay sealed, found \(String(describing: waiting.body))") }
        #expect(waiting.lastError?.contains("127.0.0.1:\(port)") == true)
        #expect(waiting.lastError?.lowercased().contains("refused") == true, "\(waiting.lastError ?? "no error")")
        #expect(waiting.nextAttemptAt > clock.read())
        // Not due yet: nothing is tried.
        #expect(try await sender.drain() == (sent: 0, retried: 0, failed: 0))

        var options = SMTPTestServer.Options()
        options.port = port
        closed.release()
        let server = try await SMTPTestServer.start(options, directory: folder.url.appendingPathComponent("smtp"))
        clock.advance(by: 3600)
        let second = try await sender.drain()
        await transport.close()
        await server.stop()
        #expect(second.sent == 1 && second.retried == 0 && second.failed == 0)
        let sent = try #require(try await outbox.list(status: .sent, limit: 10).first)
        #expect(sent.id == id)
        #expect(sent.attempts == 2)
        #expect(sent.body == nil && sent.recipients == ["alice@example.org"] && sent.subject == "Queued while down")
        #expect(try server.received().map(\.parsed.subject) == ["Queued while down"])
        #expect(try server.received().first?.parsed.messageID == sent.messageID)
    }

    @Test func aPermanentRefusalMarksTheEntryFailedWithTheReply() async throws {
        let folder = try TemporaryDirectory("outbox-550")
        defer { folder.remove() }
        var options = SMTPTestServer.Options()
        options.rejected = ["nobody@example.org"]
        let server = try await SMTPTestServer.start(options, directory: folder.url.appendingPathComponent("smtp"))
        let database = try SQLiteDatabase(dataDirectory: folder.url.appendingPathComponent("data"))
        let outbox = database.outbox
        // One connection: the refusal must leave it good for the next message.
        let transport = SMTPTransport(configuration: SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .none, maxConnections: 1))
        let sender = OutboxSender(outbox: outbox, sealer: Self.sealer, transport: { transport }, logger: Logger(label: "test.outbox"), owner: "test")
        let refused = try await Self.queue(outbox, to: "nobody@example.org", subject: "Refused", now: Date())
        let accepted = try await Self.queue(outbox, to: "alice@example.org", subject: "Accepted", now: Date())

        let result = try await sender.drain()
        await transport.close()
        await server.stop()
        #expect(result.sent == 1 && result.retried == 0 && result.failed == 1)
        let failed = try #require(try await outbox.list(status: .failed, limit: 10).first)
        #expect(failed.id == refused)
        #expect(failed.attempts == 1)
        #expect(failed.body == nil && failed.recipients == ["nobody@example.org"])
        #expect(failed.lastError?.contains("550 5.1.1 <nobody@example.org>: Recipient address rejected") == true)
        #expect(failed.deliveryDetail == nil)
        let sent = try await outbox.list(status: .sent, limit: 10)
        #expect(sent.map(\.id) == [accepted])
        #expect(sent.first?.deliveryDetail?.hasPrefix("250 2.0.0 Ok: queued as ") == true)
        #expect(try server.received().map(\.parsed.subject) == ["Accepted"])
        #expect(await transport.connectionsOpened == 1)
    }
}
