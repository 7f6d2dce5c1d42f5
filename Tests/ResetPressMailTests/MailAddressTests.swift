import Foundation
import Testing
@testable import ResetPressMail

@Suite struct MailAddressTests {
    @Test(arguments: [
        ("a@b.co", "a@b.co", nil),
        ("  a@b.co  ", "a@b.co", nil),
        ("<a@b.co>", "a@b.co", nil),
        ("Alice <alice@example.org>", "alice@example.org", "Alice"),
        ("  Alice Liddell   <alice@example.org> ", "alice@example.org", "Alice Liddell"),
        ("\"Liddell, Alice\" <alice@example.org>", "alice@example.org", "Liddell, Alice"),
        ("\"Say \\\"hi\\\"\" <alice@example.org>", "alice@example.org", "Say \"hi\""),
        ("Zoë <zoe@bücher.example>", "zoe@bücher.example", "Zoë"),
    ] as [(String, String, String?)])
    func parses(text: String, email: String, name: String?) throws {
        let address = try MailAddress(parsing: text)
        #expect(address.email == email)
        #expect(address.name == name)
    }

    @Test(arguments: [
        "Alice alice@example.org>",
        "\"Alice <alice@example.org>",
        "Al\"ice <alice@example.org>",
        "\"A\"b\" <alice@example.org>",
        "\"Alice\\\" <alice@example.org>",
    ])
    func rejectsMalformed(text: String) {
        #expect(throws: MailAddressError.malformed(text)) { try MailAddress(parsing: text) }
    }

    @Test(arguments: ["Alice <>", "Alice <not an email>", "nobody", "Alice <a@b.co> trailing"])
    func rejectsInvalidEmail(text: String) {
        #expect(throws: MailAddressError.self) { try MailAddress(parsing: text) }
    }

    @Test func blankNameBecomesNil() throws {
        #expect(try MailAddress(email: "a@b.co", name: "   ").name == nil)
        #expect(try MailAddress(email: "a@b.co", name: "").name == nil)
        #expect(try MailAddress(email: "a@b.co", name: " Al ").name == " Al ")
    }

    @Test func asciiFormOfIDNDomain() throws {
        let address = try MailAddress(email: "Joerg@Bücher.Example")
        #expect(address.domain == "xn--bcher-kva.Example")
        #expect(address.asciiEmail == "Joerg@xn--bcher-kva.Example")
        #expect(address.description == "Joerg@Bücher.Example")
        #expect(try MailAddress(email: "a@b.co", name: "Al").description == "Al <a@b.co>")
    }

    @Test func codableRoundTripAndValidation() throws {
        let address = try MailAddress(email: "alice@example.org", name: "Alice")
        let json = try JSONEncoder().encode(address)
        #expect(try JSONDecoder().decode(MailAddress.self, from: json) == address)
        let bare = try JSONEncoder().encode(try MailAddress(email: "alice@example.org"))
        #expect(String(decoding: bare, as: UTF8.self) == #"{"email":"alice@example.org"}"#)
        let evil = Data(#"{"email":"a@b.co\r\nBcc: x@y.z"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(MailAddress.self, from: evil) }
    }

    @Test func errorMessagesEscapeControlCharacters() {
        let message = MailAddressError.invalidEmail("a@b\r\nc").description
        #expect(message.contains("\\r\\n"))
        #expect(!message.contains("\r"))
    }
}

@Suite struct MailMessageTests {
    @Test func jsonShapeIsStable() throws {
        let message = MailMessage(
            from: try MailAddress(email: "noreply@example.com", name: "ResetPress"),
            to: [try MailAddress(email: "alice@example.org")],
            subject: "Code ✓",
            textBody: "Your code is 1.",
            htmlBody: "<p>1</p>",
            replyTo: try MailAddress(email: "help@example.com")
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(message), as: UTF8.self)
        #expect(json == #"{"from":{"email":"noreply@example.com","name":"ResetPress"},"htmlBody":"<p>1</p>","#
            + #""replyTo":{"email":"help@example.com"},"subject":"Code ✓","textBody":"Your code is 1.","#
            + #""to":[{"email":"alice@example.org"}]}"#)
        #expect(try JSONDecoder().decode(MailMessage.self, from: Data(json.utf8)) == message)
    }

    @Test func optionalFieldsAreOmitted() throws {
        let message = MailMessage(
            from: try MailAddress(email: "noreply@example.com"), to: [], subject: "", textBody: ""
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(message), as: UTF8.self)
        #expect(json == #"{"from":{"email":"noreply@example.com"},"subject":"","textBody":"","to":[]}"#)
    }
}
