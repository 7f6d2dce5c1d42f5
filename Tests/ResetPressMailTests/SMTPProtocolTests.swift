import Foundation
@testable import ResetPressMail
import Testing

/// The SMTP pieces that need no server: reply parsing, capabilities, dot-stuffing, error classes.
@Suite struct SMTPProtocolTests {
    static func parse(_ lines: [String]) throws(SMTPFailure) -> [SMTPReply] {
        var parser = SMTPReplyParser()
        var replies: [SMTPReply] = []
        for line in lines {
            if let reply = try parser.consume(line[...].utf8) { replies.append(reply) }
        }
        return replies
    }

    @Test func multiLineRepliesAreJoined() throws {
        let replies = try Self.parse(["250-mail.example.com Hello", "250-SIZE 10240000", "250-AUTH PLAIN LOGIN", "250 STARTTLS", "221 Bye"])
        #expect(replies.map(\.code) == [250, 221])
        #expect(replies[0].lines == ["mail.example.com Hello", "SIZE 10240000", "AUTH PLAIN LOGIN", "STARTTLS"])
        #expect(replies[1].description == "221 Bye")
        let capabilities = SMTPCapabilities(ehloReply: replies[0])
        #expect(capabilities.offers("STARTTLS") && capabilities.offers("SIZE") && !capabilities.offers("PIPELINING"))
        #expect(capabilities.authMechanisms == ["PLAIN", "LOGIN"])
        #expect(SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["x", "auth=login cram-md5"])).authMechanisms == ["LOGIN", "CRAM-MD5"])
    }

    @Test func aBareCodeIsAFinalLine() throws {
        #expect(try Self.parse(["354"]) == [SMTPReply(code: 354, lines: [""])])
        #expect(SMTPReply(code: 354, lines: [""]).description == "354")
    }

    @Test(arguments: ["hello", "25", "999 nope", "250x", "250-a\n251 b"])
    func malformedLinesAreProtocolErrors(text: String) {
        #expect(throws: SMTPFailure.self) { try Self.parse(text.split(separator: "\n").map(String.init)) }
    }

    @Test func dotsAtLineStartsAreDoubledAndTheDataIsTerminated() {
        let encoded = SMTPDataEncoder.encode(".start\r\nmiddle\r\n..two\r\n.\r\nlast line")
        #expect(String(decoding: encoded, as: UTF8.self) == "..start\r\nmiddle\r\n...two\r\n..\r\nlast line\r\n.\r\n")
    }

    @Test func bareLineBreaksBecomeCRLF() {
        #expect(String(decoding: SMTPDataEncoder.encode("a\nb\rc\r\n"), as: UTF8.self) == "a\r\nb\r\nc\r\n.\r\n")
        #expect(String(decoding: SMTPDataEncoder.encode(""), as: UTF8.self) == ".\r\n")
        #expect(String(decoding: SMTPDataEncoder.encode("x\r"), as: UTF8.self) == "x\r\n.\r\n")
        #expect(String(decoding: SMTPDataEncoder.encode("\n.\n"), as: UTF8.self) == "\r\n..\r\n.\r\n")
    }

    @Test func renderedMessagesSurviveTheDataEncoding() throws {
        let message = MailMessage(
            from: try MailAddress(email: "a@example.com"), to: [try MailAddress(email: "b@example.com")],
            subject: "x", textBody: ".leading dot\n..two\nplain\n")
        let rendered = MIMEWriter.render(message, messageID: "<id@example.com>", date: Date(timeIntervalSince1970: 0))
        let encoded = String(decoding: SMTPDataEncoder.encode(rendered), as: UTF8.self)
        // Undo the stuffing as a server does: drop the terminator, then one leading dot per line.
        let lines = encoded.dropLast(".\r\n".count).components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
        #expect(lines.joined(separator: "\r\n") == rendered)
    }

    @Test func onlyMessageRefusalsArePermanent() {
        let refused = SMTPReply(code: 550, lines: ["5.1.1 unknown"])
        #expect(SMTPFailure.reply(step: "RCPT TO:<a@b.c>", reply: refused, forMessage: true).deliveryError(server: "h:25").permanent)
        #expect(!SMTPFailure.reply(step: "AUTH PLAIN", reply: SMTPReply(code: 535, lines: ["bad"]), forMessage: false).deliveryError(server: "h:25").permanent)
        #expect(!SMTPFailure.reply(step: "MAIL FROM", reply: SMTPReply(code: 530, lines: ["auth"]), forMessage: true).deliveryError(server: "h:25").permanent)
        #expect(!SMTPFailure.reply(step: "RCPT TO", reply: SMTPReply(code: 451, lines: ["later"]), forMessage: true).deliveryError(server: "h:25").permanent)
        #expect(!SMTPFailure.timeout(step: "DATA").deliveryError(server: "h:25").permanent)
        #expect(SMTPFailure.reply(step: "RCPT TO:<a@b.c>", reply: refused, forMessage: true).deliveryError(server: "h:25").message
            == "SMTP h:25: RCPT TO:<a@b.c> answered 550 5.1.1 unknown")
    }

    @Test func authPrefersPlainThenLogin() {
        #expect(SMTPAuthenticator.choose(from: ["LOGIN", "PLAIN"]) == .plain)
        #expect(SMTPAuthenticator.choose(from: ["CRAM-MD5", "LOGIN"]) == .login)
        #expect(SMTPAuthenticator.choose(from: ["XOAUTH2"]) == nil)
    }

    @Test func serverNamesForTLSLeaveAddressesOut() {
        #expect(SMTPChannel.serverNameIndication(for: "mail.example.com") == "mail.example.com")
        #expect(SMTPChannel.serverNameIndication(for: "127.0.0.1") == nil)
        #expect(SMTPChannel.serverNameIndication(for: "::1") == nil)
        #expect(SMTPConfiguration(host: "::1", port: 25).serverDescription == "[::1]:25")
    }

    @Test func mailgunAnswersAreSummarized() {
        #expect(MailgunAnswer(body: Data(#"{"id":"<1@x>","message":"Queued. Thank you."}"#.utf8)).text == "<1@x> Queued. Thank you.")
        #expect(MailgunAnswer(body: Data("Forbidden\n".utf8)).text == "Forbidden")
        #expect(MailgunAnswer(body: Data()).text == "(empty answer)")
    }

    @Test func formDataHoldsFieldsAndFiles() {
        var form = MultipartFormData()
        form.addField(name: "to", value: "a@example.com")
        form.addFile(name: "message", fileName: "m.eml", type: "message/rfc822", content: Array("Subject: x\r\n\r\nbody\r\n".utf8))
        let text = String(decoding: form.finished(), as: UTF8.self)
        #expect(form.contentType == "multipart/form-data; boundary=\"\(form.boundary)\"")
        #expect(text == """
            --\(form.boundary)\r
            Content-Disposition: form-data; name="to"\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            a@example.com\r
            --\(form.boundary)\r
            Content-Disposition: form-data; name="message"; filename="m.eml"\r
            Content-Type: message/rfc822\r
            \r
            Subject: x\r
            \r
            body\r
            \r
            --\(form.boundary)--\r

            """)
    }
}
