import Foundation
import ResetPressTestSupport
import Testing
@testable import ResetPressMail

@Suite struct MIMEWriterTests {
    /// Checks the line-level rules every rendered message must follow.
    private func expectWellFormed(_ raw: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"), sourceLocation: sourceLocation)
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\r"), sourceLocation: sourceLocation)
        #expect(raw.hasSuffix("\r\n"), sourceLocation: sourceLocation)
        let headers = Fixtures.headerLines(raw)
        for line in headers {
            #expect(line.count <= 78, "header line too long: \(line)", sourceLocation: sourceLocation)
            #expect(line.unicodeScalars.allSatisfy { $0.isASCII }, "non-ASCII header: \(line)", sourceLocation: sourceLocation)
        }
        let body = Fixtures.lines(raw).dropFirst(headers.count + 1)
        for line in body {
            #expect(line.count <= 76, "body line too long: \(line)", sourceLocation: sourceLocation)
            #expect(!line.hasPrefix("."), "body line starts with a dot: \(line)", sourceLocation: sourceLocation)
        }
    }

    /// The From and Subject lines are remembered from the last mail: a mail with another sender or
    /// subject still gets its own, and one that goes back gets the first again.
    @Test func rememberedHeadersFollowEachMailsOwnSenderAndSubject() throws {
        let cases = [("ResetPress", "Your reset code"), ("Équipe", "Réinitialiser"), ("ResetPress", "Your reset code"), (nil, "Your reset code")]
        for (name, subject) in cases + cases.reversed() {
            let parsed = try PythonEmailParser.parse(Fixtures.render(try Fixtures.message(subject: subject, fromName: name)))
            #expect(parsed.subject == subject)
            #expect(parsed.from == [ParsedMail.Address(name: name ?? "", email: "noreply@example.com")])
        }
    }

    @Test func asciiTextMailParsesBack() throws {
        let message = try Fixtures.message(text: "Hello Alice,\n\nYour code is 123456.\nIt expires in 15 minutes.\n")
        let raw = Fixtures.render(message)
        expectWellFormed(raw)
        let parsed = try PythonEmailParser.parse(raw)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.subject == "Your reset code")
        #expect(parsed.from == [ParsedMail.Address(name: "ResetPress", email: "noreply@example.com")])
        #expect(parsed.to == [ParsedMail.Address(name: "Alice", email: "alice@example.org")])
        #expect(parsed.messageID == Fixtures.messageID)
        #expect(parsed.date == "2025-06-03T14:05:09+00:00")
        #expect(raw.hasPrefix("Date: Tue, 03 Jun 2025 14:05:09 +0000\r\n"))
        #expect(parsed.headerNames.contains("mime-version"))
        #expect(parsed.parts.map(\.type) == ["text/plain"])
        #expect(parsed.parts.first?.charset == "utf-8")
        #expect(parsed.content(of: "text/plain") == message.textBody)
    }

    @Test func htmlMailIsAlternativeWithGeneratedTextPart() throws {
        let html = """
        <html><head><title>Reset</title><style>p { color: red; }</style></head>
        <body><h1>Reset your password</h1>
        <p>Hello Ren&eacute;e &amp; co, your code is <b>123456</b>.</p>
        <p><a href="https://example.com/_resetpassword?code=abc&amp;x=1">Choose a new one</a></p>
        <script>alert("x")</script></body></html>
        """
        let message = try Fixtures.message(text: "", html: html)
        let raw = Fixtures.render(message)
        expectWellFormed(raw)
        let parsed = try PythonEmailParser.parse(raw)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.parts.map(\.type) == ["multipart/alternative", "text/plain", "text/html"])
        #expect(parsed.content(of: "text/html") == html + "\n")
        let text = try #require(parsed.content(of: "text/plain"))
        #expect(text == HTMLToText.convert(html) + "\n")
        #expect(text.contains("Reset your password"))
        #expect(text.contains("Choose a new one (https://example.com/_resetpassword?code=abc&x=1)"))
        #expect(!text.contains("alert"))
        #expect(!text.contains("color"))
        #expect(!text.contains("<"))
    }

    @Test func htmlMailKeepsGivenTextPart() throws {
        let message = try Fixtures.message(text: "Plain version\n", html: "<p>HTML version</p>")
        let parsed = try PythonEmailParser.parse(Fixtures.render(message))
        #expect(parsed.content(of: "text/plain") == "Plain version\n")
        #expect(parsed.content(of: "text/html") == "<p>HTML version</p>\n")
    }

    @Test func boundaryLookalikeInBodiesIsHarmless() throws {
        let trap = "--=_ResetPress_00000000000000000000000000000000\n--=_ResetPress_--\n"
        let message = try Fixtures.message(text: trap, html: "<pre>\(trap)</pre>")
        let parsed = try PythonEmailParser.parse(Fixtures.render(message))
        #expect(parsed.parts.map(\.type) == ["multipart/alternative", "text/plain", "text/html"])
        #expect(parsed.content(of: "text/plain") == trap)
        #expect(parsed.content(of: "text/html") == "<pre>\(trap)</pre>\n")
    }

    @Test(arguments: [
        "Réinitialisation du mot de passe — ✓",
        "Réinitialisation de votre mot de passe pour le site « Les Éditions Numériques » — code à usage unique ✓",
        "パスワードのリセットを要求しました。以下のコードを入力して新しいパスワードを設定してください。",
        "Family 👩‍👩‍👧‍👦 reset 🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑 done",
        "A plain ASCII subject that is long enough to need folding across more than one header line, surely",
        String(repeating: "x", count: 120),
        "Looks encoded =?utf-8?Q?evil?= but is not",
        "Two  spaces and\ttab",
        " leading and trailing ",
        "",
    ])
    func subjectRoundTrips(subject: String) throws {
        let raw = Fixtures.render(try Fixtures.message(subject: subject))
        expectWellFormed(raw)
        for line in Fixtures.headerLines(raw) {
            for word in line.split(separator: " ") where word.hasPrefix("=?") {
                #expect(word.count <= 75)
            }
        }
        let parsed = try PythonEmailParser.parse(raw)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.subject == subject.replacingOccurrences(of: "\t", with: " "))
    }

    @Test(arguments: [
        "José Müller",
        "Zoë « Admin » Ünïcödé with a rather long display name that needs folding",
        "Doe, John",
        "O'Brien (Support) <team>",
        "Say \"hi\" \\ back",
        "=?utf-8?Q?not_encoded?=",
        "Équipe ResetPress",
    ])
    func displayNameRoundTrips(name: String) throws {
        let raw = Fixtures.render(try Fixtures.message(fromName: name))
        expectWellFormed(raw)
        let parsed = try PythonEmailParser.parse(raw)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.from == [ParsedMail.Address(name: name, email: "noreply@example.com")])
    }

    /// A run of non-ASCII words too long for one encoded word is cut after a space kept inside the first
    /// word. RFC 2047 decoders drop the whitespace between the words; Python's address parser keeps it
    /// (a known deviation), so it shows one extra space at each cut and nothing else differs.
    @Test func longNonASCIINameIsCutAtSpaces() throws {
        let name = "Ünïcödé-Ärger Überall Großartig Gemütlichkeit Straße Ölkännchen Bärenhöhle Äöü"
        let raw = Fixtures.render(try Fixtures.message(fromName: name))
        expectWellFormed(raw)
        let fromLines = Fixtures.headerLines(raw).drop { !$0.hasPrefix("From:") }.prefix { !$0.hasPrefix("To:") }
        let words = fromLines.flatMap { $0.split(separator: " ") }.filter { $0.hasPrefix("=?") }
        #expect(words.count > 1)
        let decoded = words.map { decodeEncodedWord(String($0)) }
        #expect(decoded.joined() == name)
        #expect(decoded.dropLast().allSatisfy { $0.hasSuffix(" ") })
        let parsed = try PythonEmailParser.parse(raw)
        let shown = try #require(parsed.from?.first?.name)
        #expect(shown.split(separator: " ") == name.split(separator: " "))
    }

    @Test func idnDomainIsWrittenInASCII() throws {
        let message = try Fixtures.message(to: [Fixtures.address("joerg@bücher.example", "Jörg")])
        let parsed = try PythonEmailParser.parse(Fixtures.render(message))
        #expect(parsed.to == [ParsedMail.Address(name: "Jörg", email: "joerg@xn--bcher-kva.example")])
    }

    @Test func manyRecipientsFold() throws {
        let recipients = try (1...6).map { try Fixtures.address("user\($0)@example.org", "User Number \($0)") }
        let raw = Fixtures.render(try Fixtures.message(to: recipients))
        expectWellFormed(raw)
        let parsed = try PythonEmailParser.parse(raw)
        #expect(parsed.to?.map(\.email) == recipients.map(\.email))
        #expect(parsed.to?.map(\.name) == recipients.compactMap(\.name))
    }

    @Test func noRecipientsIsStillValid() throws {
        let parsed = try PythonEmailParser.parse(Fixtures.render(try Fixtures.message(to: [])))
        #expect(parsed.defects.isEmpty)
        #expect(parsed.to == [])
    }

    @Test func replyToIsWritten() throws {
        var message = try Fixtures.message()
        message.replyTo = try Fixtures.address("support@example.com", "Support")
        let parsed = try PythonEmailParser.parse(Fixtures.render(message))
        #expect(parsed.replyTo == [ParsedMail.Address(name: "Support", email: "support@example.com")])
    }

    @Test func dotLinesLongLinesAndTrailingSpacesSurvive() throws {
        let long = String(repeating: "0123456789", count: 110) + "é=end"
        let text = ".\n.hidden\nFrom the start\nline with trailing spaces   \n\(long)\n..\ttab\t\nlast"
        let raw = Fixtures.render(try Fixtures.message(text: text))
        expectWellFormed(raw)
        let parsed = try PythonEmailParser.parse(raw)
        #expect(parsed.content(of: "text/plain") == text + "\n")
        #expect(!raw.contains("\r\nFrom "))
    }

    @Test func crAndCRLFBodiesBecomeCRLF() throws {
        let raw = Fixtures.render(try Fixtures.message(text: "one\r\ntwo\rthree\nfour"))
        expectWellFormed(raw)
        let parsed = try PythonEmailParser.parse(raw)
        #expect(parsed.content(of: "text/plain") == "one\ntwo\nthree\nfour\n")
    }

    @Test func messageIDIsBracketedAndCleaned() throws {
        let message = try Fixtures.message()
        let bare = try PythonEmailParser.parse(MIMEWriter.render(message, messageID: "abc@host", date: Fixtures.date))
        #expect(bare.messageID == "<abc@host>")
        let broken = try PythonEmailParser.parse(MIMEWriter.render(message, messageID: "\r\n", date: Fixtures.date))
        let id = try #require(broken.messageID)
        #expect(id.hasPrefix("<") && id.hasSuffix("@example.com>"))
    }

    @Test func mailDatesAreUTCAndPadded() {
        let date = Date(timeIntervalSince1970: 1_767_225_600.25)  // 2026-01-01 00:00:00.250 UTC, a Thursday
        #expect(MailDate.rfc5322(date) == "Thu, 01 Jan 2026 00:00:00 +0000")
        #expect(MailDate.fileStamp(date) == "20260101T000000.250Z")
        #expect(MailDate.readable(date.addingTimeInterval(86_399)) == "2026-01-01 23:59:59 UTC")
    }

    @Test func formatDateUsesRFC5322() {
        #expect(MIMEWriter.formatDate(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MIMEWriter.formatDate(Fixtures.date) == "Tue, 03 Jun 2025 14:05:09 +0000")
    }

    /// Decodes one `=?utf-8?B?…?=` or `=?utf-8?Q?…?=` word, as an RFC 2047 reader would.
    private func decodeEncodedWord(_ word: String) -> String {
        let pieces = word.split(separator: "?")
        guard pieces.count == 5 else { return "" }
        let payload = String(pieces[3])
        if pieces[2] == "B" {
            return String(decoding: Data(base64Encoded: payload) ?? Data(), as: UTF8.self)
        }
        var bytes: [UInt8] = []
        var index = payload.startIndex
        while index < payload.endIndex {
            let character = payload[index]
            if character == "=", let end = payload.index(index, offsetBy: 3, limitedBy: payload.endIndex),
               let byte = UInt8(payload[payload.index(after: index)..<end], radix: 16) {
                bytes.append(byte)
                index = end
            } else {
                bytes += character == "_" ? [0x20] : Array(String(character).utf8)
                index = payload.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
