import Foundation
import ResetPressMail
import ResetPressTestSupport
import Testing

/// ``MailgunTransport`` against a loopback HTTP server that checks path, auth and form fields.
@Suite struct MailgunTransportTests {
    static let domain = "mg.example.com"
    static let key = "key-0123456789abcdef"

    static func withServer(
        status: Int = 200, body: String? = nil, _ test: (MailgunTestServer) async throws -> Void
    ) async throws {
        let folder = try TemporaryDirectory("mailgun")
        defer { folder.remove() }
        let server = if let body {
            try await MailgunTestServer.start(domain: domain, apiKey: key, status: status, body: body, directory: folder.url)
        } else {
            try await MailgunTestServer.start(domain: domain, apiKey: key, status: status, directory: folder.url)
        }
        do {
            try await test(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func message() throws -> MailMessage {
        MailMessage(
            from: try MailAddress(email: "no-reply@example.com", name: "Example Site"),
            to: [try MailAddress(email: "alice@example.org", name: "Alice"), try MailAddress(email: "bob@example.org")],
            subject: "Code de réinitialisation", textBody: "Votre code : 123456\n")
    }

    @Test func postsTheMIMEMessageWithAuthAndRecipients() async throws {
        try await Self.withServer { server in
            let transport = MailgunTransport(domain: Self.domain, apiKey: Self.key, baseURL: server.baseURL + "/")
            let receipt = try await transport.send(try Self.message(), messageID: "<mg-1@example.com>", date: Date())
            #expect(receipt.detail == "Mailgun 200: <20250101.1@mg.example.com> Queued. Thank you.")
            let request = try #require(try server.requests().first)
            #expect(request.path == "/v3/mg.example.com/messages.mime")
            #expect(request.authorized)
            #expect(request.contentType.hasPrefix("multipart/form-data; boundary="))
            #expect(request.to == ["alice@example.org", "bob@example.org"])
            let message = try #require(request.message)
            #expect(message.subject == "Code de réinitialisation")
            #expect(message.messageID == "<mg-1@example.com>")
            #expect(message.to == ["alice@example.org", "bob@example.org"])
            #expect(message.text.replacingOccurrences(of: "\r\n", with: "\n") == "Votre code : 123456\n")
            #expect(message.defects.isEmpty)
        }
    }

    @Test func aWrongKeyIsKeptAsATemporaryError() async throws {
        try await Self.withServer { server in
            let transport = MailgunTransport(domain: Self.domain, apiKey: "wrong", baseURL: server.baseURL)
            let error = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(try Self.message(), messageID: "<mg-2@example.com>", date: Date())
            }
            #expect(error?.permanent == false)
            #expect(error?.message == "Mailgun answered 401: Invalid private key")
            let request = try #require(try server.requests().first)
            #expect(!request.authorized)
        }
    }

    @Test(arguments: [(400, true), (413, true), (429, false), (500, false), (503, false)])
    func nonSuccessAnswersAreKept(status: Int, permanent: Bool) async throws {
        try await Self.withServer(status: status, body: #"{"message": "answer \#(status) from the API"}"#) { server in
            let transport = MailgunTransport(domain: Self.domain, apiKey: Self.key, baseURL: server.baseURL)
            let error = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(try Self.message(), messageID: "<mg-3@example.com>", date: Date())
            }
            #expect(error?.permanent == permanent)
            #expect(error?.message == "Mailgun answered \(status): answer \(status) from the API")
        }
    }

    @Test func aNonJSONAnswerIsKeptAsText() async throws {
        try await Self.withServer(status: 502, body: "<html>Bad Gateway</html>") { server in
            let transport = MailgunTransport(domain: Self.domain, apiKey: Self.key, baseURL: server.baseURL)
            let error = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(try Self.message(), messageID: "<mg-4@example.com>", date: Date())
            }
            #expect(error?.message == "Mailgun answered 502: <html>Bad Gateway</html>")
        }
    }

    @Test func anUnreachableAPIIsATemporaryError() async throws {
        let closed = try ClosedPort()
        let port = closed.port
        let transport = MailgunTransport(domain: Self.domain, apiKey: Self.key, baseURL: "http://127.0.0.1:\(port)", timeout: .seconds(1))
        let error = await #expect(throws: MailDeliveryError.self) {
            try await transport.send(try Self.message(), messageID: "<mg-5@example.com>", date: Date())
        }
        #expect(error?.permanent == false)
        #expect(error?.message.hasPrefix("Mailgun: request to http://127.0.0.1:\(port)/v3/mg.example.com/messages.mime failed") == true)
        closed.release()
    }

    @Test(arguments: ["ftp://api.mailgun.net", "not a url", ""])
    func anUnusableBaseURLIsReported(baseURL: String) async throws {
        let transport = MailgunTransport(domain: Self.domain, apiKey: Self.key, baseURL: baseURL)
        let error = await #expect(throws: MailDeliveryError.self) {
            try await transport.send(try Self.message(), messageID: "<mg-6@example.com>", date: Date())
        }
        #expect(error?.message.contains("is not an http(s) URL") == true)
    }

    @Test func anUnsafeDomainIsRefusedBeforeAnyRequest() async throws {
        let transport = MailgunTransport(domain: "example.com/../admin", apiKey: Self.key, baseURL: "http://127.0.0.1:9")
        let error = await #expect(throws: MailDeliveryError.self) {
            try await transport.send(try Self.message(), messageID: "<mg-7@example.com>", date: Date())
        }
        #expect(error?.message == "Mailgun: the sending domain 'example.com/../admin' is not a domain name")
    }
}
