import Foundation
import ResetPressMail
import ResetPressTestSupport
import Testing

/// Sends through ``SMTPTransport`` to a real aiosmtpd and checks what arrived with Python's `email` parser.
@Suite struct SMTPTransportTests {
    static var from: MailAddress { get throws { try MailAddress(email: "no-reply@example.com", name: "Example Site") } }
    static var to: MailAddress { get throws { try MailAddress(email: "alice@example.org", name: "Alice") } }

    /// Runs `body` against a fresh server, stopping it and removing its folder afterwards.
    static func withServer(
        _ options: SMTPTestServer.Options = .init(), _ body: (SMTPTestServer) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory("smtp")
        let server = try await SMTPTestServer.start(options, directory: directory.url)
        do {
            try await body(server)
        } catch {
            await server.stop()
            directory.remove()
            throw error
        }
        await server.stop()
        directory.remove()
    }

    static func transport(_ server: SMTPTestServer, _ change: (inout SMTPConfiguration) -> Void = { _ in }) -> SMTPTransport {
        var configuration = SMTPConfiguration(
            host: "127.0.0.1", port: server.port, security: .none, commandTimeout: .seconds(10), dataTimeout: .seconds(10))
        change(&configuration)
        return SMTPTransport(configuration: configuration)
    }

    static func message(subject: String = "Your reset code", text: String = "Your code is 123456.\n", html: String? = nil) throws -> MailMessage {
        MailMessage(from: try from, to: [try to], subject: subject, textBody: text, htmlBody: html)
    }

    @Test func textMailArrivesIntact() async throws {
        try await Self.withServer { server in
            let transport = Self.transport(server)
            let receipt = try await transport.send(try Self.message(), messageID: "<text-1@example.com>", date: Date())
            await transport.close()
            #expect(receipt.detail.hasPrefix("250 "))
            #expect(receipt.messageID == "<text-1@example.com>")
            let mail = try #require(try server.received().first)
            #expect(mail.mailFrom == "no-reply@example.com")
            #expect(mail.rcptTos == ["alice@example.org"])
            #expect(mail.parsed.subject == "Your reset code")
            #expect(mail.parsed.from == [.init(name: "Example Site", email: "no-reply@example.com")])
            #expect(mail.parsed.to == [.init(name: "Alice", email: "alice@example.org")])
            #expect(mail.parsed.messageID == "<text-1@example.com>")
            #expect(mail.parsed.defects.isEmpty)
            #expect(mail.parsed.parts.map(\.type) == ["text/plain"])
            #expect(mail.content(of: "text/plain") == "Your code is 123456.\n")
            #expect(mail.parsed.headerNames.contains("date"))
        }
    }

    @Test func htmlMailIsMultipartAlternative() async throws {
        try await Self.withServer { server in
            let transport = Self.transport(server)
            let html = "<p>Your code is <b>123456</b>.</p>\n<p>.a line starting with a dot</p>\n"
            _ = try await transport.send(try Self.message(text: "", html: html), messageID: "<html-1@example.com>", date: Date())
            await transport.close()
            let mail = try #require(try server.received().first)
            #expect(mail.parsed.parts.map(\.type) == ["multipart/alternative", "text/plain", "text/html"])
            #expect(mail.content(of: "text/html") == html)
            #expect(mail.content(of: "text/plain")?.contains("Your code is 123456.") == true)
            #expect(mail.parsed.defects.isEmpty)
        }
    }

    @Test func nonASCIISubjectAndNamesAreDecoded() async throws {
        try await Self.withServer { server in
            let transport = Self.transport(server)
            let sender = try MailAddress(email: "no-reply@example.com", name: "Zoë's Café, Ångström & Co.")
            let recipient = try MailAddress(email: "jurgen@example.org", name: "Jürgen Groß")
            let subject = "Réinitialisation du mot de passe — 密码重置 🔑"
            let text = "Grüße!\n.Zeile mit Punkt\nКод: 123456\n"
            let message = MailMessage(from: sender, to: [recipient], subject: subject, textBody: text)
            _ = try await transport.send(message, messageID: "<utf8-1@example.com>", date: Date())
            await transport.close()
            let mail = try #require(try server.received().first)
            #expect(mail.parsed.subject == subject)
            #expect(mail.parsed.from == [.init(name: "Zoë's Café, Ångström & Co.", email: "no-reply@example.com")])
            #expect(mail.parsed.to == [.init(name: "Jürgen Groß", email: "jurgen@example.org")])
            #expect(mail.content(of: "text/plain") == text)
            #expect(mail.parsed.parts.first?.charset == "utf-8")
            #expect(mail.raw.allSatisfy { $0.isASCII })
        }
    }

    @Test func oneConnectionCarriesManyMessages() async throws {
        try await Self.withServer { server in
            let transport = Self.transport(server)
            for index in 0..<10 {
                _ = try await transport.send(try Self.message(subject: "Message \(index)"), messageID: "<reuse-\(index)@example.com>", date: Date())
            }
            await transport.close()
            let received = try server.received()
            #expect(received.map(\.parsed.subject) == (0..<10).map { "Message \($0)" })
            #expect(Set(received.map(\.connection)) == [1])
            #expect(try server.connectionCount() == 1)
            #expect(await transport.connectionsOpened == 1)
        }
    }

    @Test(arguments: [1, 2, 3])
    func concurrentSendsOpenUpToMaxConnectionsAndShareThemInTurn(maxConnections: Int) async throws {
        var options = SMTPTestServer.Options()
        options.dataDelay = .milliseconds(150)  // every message is still in hand when the next one starts
        try await Self.withServer(options) { server in
            let transport = Self.transport(server) { $0.maxConnections = maxConnections }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        _ = try await transport.send(try Self.message(subject: "Parallel \(index)"), messageID: "<p-\(index)@example.com>", date: Date())
                    }
                }
                try await group.waitForAll()
            }
            await transport.close()
            #expect(Set(try server.received().compactMap(\.parsed.subject)) == Set((0..<8).map { "Parallel \($0)" }))
            #expect(try server.connectionCount() == maxConnections)
            #expect(await transport.connectionsOpened == maxConnections)
        }
    }

    @Test func aBatchIsSplitAcrossTheConnectionsAndKeepsItsOrderOfOutcomes() async throws {
        var options = SMTPTestServer.Options()
        options.rejected = ["nobody@example.org"]
        options.dataDelay = .milliseconds(100)
        try await Self.withServer(options) { server in
            let transport = Self.transport(server) { $0.maxConnections = 2 }
            let recipients = ["a@example.org", "nobody@example.org", "c@example.org", "d@example.org", "e@example.org"]
            let batch = try recipients.enumerated().map { index, email in
                OutgoingMail(
                    message: MailMessage(from: try Self.from, to: [try MailAddress(email: email)], subject: "Batch \(index)", textBody: "x"),
                    messageID: "<batch-\(index)@example.com>", date: Date())
            }
            let outcomes = await transport.send(batch: batch)
            await transport.close()
            #expect(outcomes.map { (try? $0.get())?.messageID } == ["<batch-0@example.com>", nil, "<batch-2@example.com>", "<batch-3@example.com>", "<batch-4@example.com>"])
            #expect(Set(try server.received().map(\.parsed.subject)) == ["Batch 0", "Batch 2", "Batch 3", "Batch 4"])
            #expect(Set(try server.received().map(\.connection)) == [1, 2])
        }
    }

    @Test(arguments: [false, true])
    func theEnvelopeIsPipelinedExactlyWhenTheServerOffersIt(offered: Bool) async throws {
        var options = SMTPTestServer.Options()
        options.pipelining = offered
        try await Self.withServer(options) { server in
            let transport = Self.transport(server)
            for index in 0..<3 {
                _ = try await transport.send(try Self.message(subject: "Piped \(index)"), messageID: "<piped-\(index)@example.com>", date: Date())
            }
            await transport.close()
            #expect(try server.received().map(\.parsed.subject) == ["Piped 0", "Piped 1", "Piped 2"])
            #expect(try server.pipelinedEnvelopes() == (offered ? 3 : 0))
            #expect(try server.connectionCount() == 1)
        }
    }

    @Test func aPipelinedEnvelopeWithARefusedRecipientSendsNothingAndTheConnectionGoesOn() async throws {
        var options = SMTPTestServer.Options()
        options.pipelining = true
        options.rejected = ["nobody@example.org"]
        try await Self.withServer(options) { server in
            let transport = Self.transport(server)
            for recipients in [["nobody@example.org"], ["alice@example.org", "nobody@example.org"]] {
                let message = MailMessage(from: try Self.from, to: try recipients.map { try MailAddress(email: $0) }, subject: "x", textBody: "x")
                let error = await #expect(throws: MailDeliveryError.self) {
                    try await transport.send(message, messageID: "<refused@example.com>", date: Date())
                }
                #expect(error?.permanent == true)
                #expect(error?.message.contains("RCPT TO:<nobody@example.org> answered 550 5.1.1") == true)
            }
            _ = try await transport.send(try Self.message(subject: "After"), messageID: "<after-refusal@example.com>", date: Date())
            await transport.close()
            #expect(try server.received().map(\.parsed.subject) == ["After"], "a message went to some of its recipients")
            #expect(try server.pipelinedEnvelopes() == 3)
            #expect(await transport.connectionsOpened == 1)
        }
    }

    @Test func aConnectionClosedByTheServerIsReplaced() async throws {
        try await Self.withServer { server in
            let transport = Self.transport(server)
            _ = try await transport.send(try Self.message(subject: "Before"), messageID: "<before@example.com>", date: Date())
            // The server drops the connection with a 421 as at an idle timeout, when told: no clock to race.
            try await server.closeConnections()
            _ = try await transport.send(try Self.message(subject: "After"), messageID: "<after@example.com>", date: Date())
            await transport.close()
            #expect(try server.received().map(\.parsed.subject) == ["Before", "After"])
            #expect(await transport.connectionsOpened == 2)
        }
    }

    @Test func anIdleConnectionIsClosedByTheClient() async throws {
        try await Self.withServer { server in
            let transport = Self.transport(server) { $0.idleTimeout = .milliseconds(300) }
            _ = try await transport.send(try Self.message(subject: "One"), messageID: "<idle-1@example.com>", date: Date())
            // The client's QUIT after 300 ms of quiet, as the server sees it, however long a loaded machine takes.
            try await server.waitUntilClosed(connection: 1)
            _ = try await transport.send(try Self.message(subject: "Two"), messageID: "<idle-2@example.com>", date: Date())
            await transport.close()
            #expect(try server.received().map(\.connection) == [1, 2])
        }
    }

    @Test func aRefusedRecipientIsPermanentAndKeepsTheReply() async throws {
        var options = SMTPTestServer.Options()
        options.rejected = ["nobody@example.org"]
        try await Self.withServer(options) { server in
            let transport = Self.transport(server)
            let nobody = MailMessage(from: try Self.from, to: [try MailAddress(email: "nobody@example.org")], subject: "x", textBody: "x")
            let error = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(nobody, messageID: "<refused@example.com>", date: Date())
            }
            #expect(error?.permanent == true)
            #expect(error?.message.contains("RCPT TO:<nobody@example.org> answered 550 5.1.1") == true)
            #expect(error?.message.contains("User unknown in local recipient table") == true)
            // The transaction was reset and the connection is still good for the next message.
            _ = try await transport.send(try Self.message(), messageID: "<after-refusal@example.com>", date: Date())
            await transport.close()
            #expect(try server.received().map(\.rcptTos) == [["alice@example.org"]])
            #expect(await transport.connectionsOpened == 1)
        }
    }

    @Test func aServerThatIsDownIsATemporaryError() async throws {
        let closed = try ClosedPort()
        let port = closed.port
        let transport = SMTPTransport(configuration: SMTPConfiguration(host: "127.0.0.1", port: port, security: .none))
        let error = await #expect(throws: MailDeliveryError.self) {
            try await transport.send(try Self.message(), messageID: "<down@example.com>", date: Date())
        }
        #expect(error?.permanent == false)
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
        #expect(error?.message.lowercased().contains("refused") == true, "\(error?.message ?? "no error")")
        closed.release()
    }
}
