import Foundation
import Logging
import ResetPressDelivery
import ResetPressMail
import ResetPressStorage
import Testing

/// What each transport answered, kept on the outbox row of the mail it took: never the body or the code.
@Suite struct DeliveryDetailTests {
    static let code = "123456"

    /// Queues one sealed reset mail for user 7, drains the outbox through `transport`, and returns
    /// the user's entry as stored.
    static func sendOne(through transport: any MailTransport, folder: URL) async throws -> OutboxEntry {
        let database = try SQLiteDatabase(dataDirectory: folder.appendingPathComponent("data"))
        let message = MailMessage(
            from: try MailAddress(email: "no-reply@example.com", name: "Example Site"), to: [try MailAddress(email: "alice@example.org")],
            subject: "Your reset code", textBody: "Your code is \(code).\n")
        let mail = OutboxMail(kind: "reset_code", message: message, messageID: MessageID.generate(domain: "example.com"), userID: 7)
        _ = try await database.outbox.enqueue(try mail.sealed(with: OutboxDeliveryTests.sealer), now: Date())
        let sender = OutboxSender(
            outbox: database.outbox, sealer: OutboxDeliveryTests.sealer, transport: { transport }, logger: Logger(label: "test.outbox"), owner: "test")
        #expect(try await sender.drain() == (sent: 1, retried: 0, failed: 0))
        let entries = try await database.outbox.entries(userID: 7, limit: 10)
        #expect(entries.count == 1 && entries.first?.status == .sent)
        return try #require(entries.first)
    }

    @Test func theFileTransportsAnswerIsThePathOfTheWrittenFile() async throws {
        let folder = try TemporaryDirectory("detail-file")
        defer { folder.remove() }
        let directory = folder.url.appendingPathComponent("mail")
        let entry = try await Self.sendOne(through: FileMailTransport(directory: directory), folder: folder.url)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }
        #expect(names.count == 1)
        #expect(entry.deliveryDetail == directory.appendingPathComponent(names[0]).path)
        #expect(entry.deliveryDetail?.contains(Self.code) == false)
    }

    @Test func theSMTPAnswerIsTheServersReplyToTheDataWithItsQueueID() async throws {
        let folder = try TemporaryDirectory("detail-smtp")
        defer { folder.remove() }
        let server = try await SMTPTestServer.start(directory: folder.url.appendingPathComponent("smtp"))
        let transport = SMTPTransport(configuration: SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .none))
        let entry = try await Self.sendOne(through: transport, folder: folder.url)
        await transport.close()
        await server.stop()
        let detail = try #require(entry.deliveryDetail)
        #expect(detail.hasPrefix("250 ") && detail.contains("queued as"), "\(detail)")
        #expect(!detail.contains(Self.code) && !detail.contains("Your code"))
    }

    @Test func theMailgunAnswerHoldsItsMessageID() async throws {
        let folder = try TemporaryDirectory("detail-mailgun")
        defer { folder.remove() }
        let server = try await MailgunTestServer.start(domain: "mg.example.com", apiKey: "key-1", directory: folder.url)
        let transport = MailgunTransport(domain: "mg.example.com", apiKey: "key-1", baseURL: server.baseURL)
        let entry = try await Self.sendOne(through: transport, folder: folder.url)
        await server.stop()
        let detail = try #require(entry.deliveryDetail)
        #expect(detail.contains("<20250101.1@mg.example.com>"), "\(detail)")
        #expect(!detail.contains(Self.code) && !detail.contains("Your code"))
    }
}
