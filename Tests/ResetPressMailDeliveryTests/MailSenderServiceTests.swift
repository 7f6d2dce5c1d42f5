import Foundation
import Logging
import ResetPressDelivery
import ResetPressMail
import ResetPressStorage
import ServiceLifecycle
import Synchronization
import Testing

/// The mail sender as a swift-service-lifecycle service: a graceful shutdown lets the message being
/// sent finish and be marked sent.
@Suite struct MailSenderServiceTests {
    /// A transport that holds each message until released, and fails it if its task is cancelled.
    final class HeldTransport: MailTransport {
        let started = Mutex(false)
        let released = Mutex(false)

        func send(_ message: MailMessage, messageID: String, date: Date) async throws(MailDeliveryError) -> MailReceipt {
            started.withLock { $0 = true }
            while !released.withLock({ $0 }) {
                do {
                    try await Task.sleep(for: .milliseconds(10))
                } catch {
                    throw MailDeliveryError(permanent: false, message: "cancelled while sending")
                }
            }
            return MailReceipt(messageID: messageID, detail: "held")
        }
    }

    @Test func aGracefulShutdownFinishesTheMessageBeingSent() async throws {
        let storage = SiteStorage.memory()
        let sealer = InstallSecret(bytes: Data(repeating: 3, count: 32)).mailSealer()
        let message = MailMessage(
            from: try MailAddress(email: "support@example.org"), to: [try MailAddress(email: "ann@example.org")],
            subject: "Your code", textBody: "Your reset code is ABC123.")
        let id = try await storage.outbox.enqueue(
            try OutboxMail(kind: "reset_code", message: message, messageID: "<held@example.org>").sealed(with: sealer), now: Date())
        let transport = HeldTransport()
        let sender = OutboxSender(outbox: storage.outbox, sealer: sealer, transport: { transport }, logger: Logger(label: "test"), owner: "test")
        let group = ServiceGroup(services: [QueueSenderService(sender: sender)], logger: Logger(label: "test"))
        let running = Task { try await group.run() }

        for _ in 0..<500 where !transport.started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(transport.started.withLock { $0 })
        await group.triggerGracefulShutdown()
        try await Task.sleep(for: .milliseconds(200))
        transport.released.withLock { $0 = true }
        try await running.value

        let entry = try #require(try await storage.outbox.list(status: nil, limit: 10).first { $0.id == id })
        #expect(entry.status == .sent)
        #expect(entry.lastError == nil)
    }
}
