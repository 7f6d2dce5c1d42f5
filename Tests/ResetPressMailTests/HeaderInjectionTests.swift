import Foundation
import ResetPressTestSupport
import Testing
@testable import ResetPressMail

@Suite struct HeaderInjectionTests {
    private static let expectedHeaders = [
        "date", "message-id", "from", "to", "subject", "auto-submitted", "mime-version", "content-type", "content-transfer-encoding",
    ]

    @Test(arguments: [
        "Hello\r\nBcc: evil@x",
        "Hello\nBcc: evil@x",
        "Hello\rBcc: evil@x",
        "Hello\r\n\r\nBcc: evil@x",
        "Hello\u{2028}Bcc: evil@x",
        "Hello\u{85}Bcc: evil@x",
        "Héllo ✓\r\nBcc: evil@x",
    ])
    func subjectCannotAddHeaders(subject: String) throws {
        let raw = Fixtures.render(try Fixtures.message(subject: subject))
        #expect(!raw.contains("\r\nBcc:"))
        let parsed = try PythonEmailParser.parse(raw)
        #expect(parsed.headerNames == Self.expectedHeaders)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.subject?.hasSuffix(" Bcc: evil@x") == true)
        #expect(parsed.subject?.contains("\n") == false)
        #expect(parsed.content(of: "text/plain") == "Your code is 123456.\n")
    }

    @Test(arguments: [
        "Mallory\r\nBcc: evil@x",
        "Mallory\nBcc: evil@x",
        "Mallöry\r\nBcc: evil@x",
        "\r\nBcc: evil@x",
        "Mallory\u{0}\u{1B}[31m\r\nBcc: evil@x",
    ])
    func displayNameCannotAddHeaders(name: String) throws {
        let message = MailMessage(
            from: try Fixtures.address("noreply@example.com", name),
            to: [try Fixtures.address("alice@example.org", name)],
            subject: "Hi",
            textBody: "Body",
            replyTo: try Fixtures.address("support@example.com", name)
        )
        let raw = Fixtures.render(message)
        #expect(!raw.contains("\r\nBcc:"))
        let parsed = try PythonEmailParser.parse(raw)
        #expect(!parsed.headerNames.contains("bcc"))
        #expect(parsed.headerNames.count == Self.expectedHeaders.count + 1)
        #expect(parsed.from?.map(\.email) == ["noreply@example.com"])
        #expect(parsed.to?.map(\.email) == ["alice@example.org"])
        #expect(parsed.replyTo?.map(\.email) == ["support@example.com"])
        let shown = try #require(parsed.from?.first?.name)
        #expect(shown.hasSuffix("Bcc: evil@x"))
        #expect(!shown.unicodeScalars.contains { $0.properties.generalCategory == .control })
    }

    @Test(arguments: [
        "alice@example.org\r\nBcc: evil@x",
        "alice@example.org\nBcc:evil@x",
        "alice@example.org\r",
        "alice\u{0}@example.org",
    ])
    func addressWithLineBreakIsRejected(email: String) {
        #expect(throws: MailAddressError.invalidEmail(email)) { try MailAddress(email: email) }
        #expect(throws: MailAddressError.self) { try MailAddress(parsing: "Alice <\(email)>") }
    }

    @Test func messageIDCannotAddHeaders() throws {
        let raw = MIMEWriter.render(try Fixtures.message(), messageID: "<a@b>\r\nBcc: evil@x", date: Fixtures.date)
        let parsed = try PythonEmailParser.parse(raw)
        #expect(parsed.headerNames == Self.expectedHeaders)
        #expect(parsed.messageID?.contains("\n") == false)
    }
}
