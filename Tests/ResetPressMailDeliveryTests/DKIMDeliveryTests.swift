import Foundation
import ResetPressMail
import ResetPressTestSupport
import Testing

/// DKIM-signed mail delivered by the real transports, checked by dkimpy (PyPI) with its DNS lookup answered by a
/// key `openssl` made; tampering after signing must make the same verifier fail.
@Suite struct DKIMDeliveryTests {
    static let selector = "rp2025"
    static let domain = "example.com"

    static func signer() throws -> DKIMSigner {
        try #require(try DKIMSigner.load(domain: domain, selector: selector, privateKeyFile: OpenSSLKey.shared().privateFile.path))
    }

    /// The TXT record a site would publish, built from openssl's output rather than the signer's.
    static func record() throws -> String {
        "v=DKIM1; k=rsa; p=" + (try OpenSSLKey.shared().publicKeyBase64)
    }

    enum Kind: String, CaseIterable, Sendable {
        case plain, nonASCIIFolded, html
    }

    static func message(_ kind: Kind) throws -> MailMessage {
        let from = try MailAddress(email: "no-reply@example.com", name: "Example Site")
        switch kind {
        case .plain:
            return MailMessage(from: from, to: [try MailAddress(email: "alice@example.org", name: "Alice")],
                               subject: "Your reset code", textBody: "Your code is 123456.\n\n.a dot line  with  spaces \n")
        case .nonASCIIFolded:
            let to = try (1...6).map { try MailAddress(email: "user\($0)@example.org", name: "Jürgen Groß-Müller \($0)") }
            return MailMessage(
                from: try MailAddress(email: "no-reply@example.com", name: "Zoë's Café, Ångström & Co."), to: to,
                subject: "Réinitialisation du mot de passe — 密码重置 🔑 " + String(repeating: "très long ", count: 8),
                textBody: "Grüße!\nКод: 123456\n", replyTo: try MailAddress(email: "help@example.com", name: "Hilfe"))
        case .html:
            return MailMessage(from: from, to: [try MailAddress(email: "alice@example.org")], subject: "Reset",
                               textBody: "", htmlBody: "<p>Your code is <b>123456</b>.</p>\n<p>.line with a dot</p>\n")
        }
    }

    @Test(arguments: Kind.allCases)
    func signedMailOverSMTPVerifies(kind: Kind) async throws {
        let raw = try await Self.deliverOverSMTP(try Self.message(kind), messageID: "<dkim-\(kind.rawValue)@example.com>")
        let text = String(decoding: raw, as: UTF8.self)
        #expect(text.hasPrefix("DKIM-Signature: "))
        #expect(text.contains("\r\nAuto-Submitted: auto-generated\r\n"))
        let verdict = try await DKIMPy.verify(raw, record: try Self.record())
        #expect(verdict.ok, "dkimpy: \(verdict.log)")
        #expect(verdict.lookups.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 } == ["rp2025._domainkey.example.com"])
    }

    @Test func changesAfterSigningFailVerification() async throws {
        let raw = String(decoding: try await Self.deliverOverSMTP(try Self.message(.plain), messageID: "<dkim-tamper@example.com>"), as: UTF8.self)
        let record = try Self.record()
        #expect(try await DKIMPy.verify(Data(raw.utf8), record: record).ok)
        let tampered = [
            "subject changed": raw.replacingOccurrences(of: "\r\nSubject: Your reset code\r\n", with: "\r\nSubject: Your reset cod3\r\n"),
            "auto-submitted removed": raw.replacingOccurrences(of: "\r\nAuto-Submitted: auto-generated\r\n", with: "\r\n"),
            "second From added": raw.replacingOccurrences(of: "\r\nDate: ", with: "\r\nFrom: evil@example.net\r\nDate: "),
            "Reply-To added": raw.replacingOccurrences(of: "\r\nDate: ", with: "\r\nReply-To: evil@example.net\r\nDate: "),
            "body changed": raw.replacingOccurrences(of: "123456", with: "654321"),
        ]
        for (change, message) in tampered {
            #expect(message != raw, "\(change) changed nothing")
            let verdict = try await DKIMPy.verify(Data(message.utf8), record: record)
            #expect(!verdict.ok, "\(change) still verified")
        }
        // Whitespace that relaxed canonicalization ignores is not a change.
        let refolded = raw.replacingOccurrences(of: "\r\nSubject: Your reset code\r\n", with: "\r\nSubject:   Your\r\n\treset   code \r\n")
        #expect(try await DKIMPy.verify(Data(refolded.utf8), record: record).ok)
    }

    @Test func theFileAndSendmailTransportsSignToo() async throws {
        let folder = try TemporaryDirectory("dkim-transports")
        defer { folder.remove() }
        let renderer = MessageRenderer(dkim: try Self.signer())
        let message = try Self.message(.nonASCIIFolded)
        let file = try FileMailTransport(directory: folder.url.appendingPathComponent("mail"), renderer: renderer)
            .write(message, messageID: "<dkim-file@example.com>", date: Date())
        let script = try SendmailTransportTests.fakeSendmail(in: folder.url)
        _ = try await SendmailTransport(path: script.path, renderer: renderer).send(message, messageID: "<dkim-sendmail@example.com>", date: Date())
        for output in [file, folder.url.appendingPathComponent("stdin")] {
            let verdict = try await DKIMPy.verify(try Data(contentsOf: output), record: try Self.record())
            #expect(verdict.ok, "\(output.lastPathComponent): \(verdict.log)")
        }
    }

    /// Sends `message` signed through ``SMTPTransport`` to aiosmtpd and returns the bytes the server stored.
    static func deliverOverSMTP(_ message: MailMessage, messageID: String) async throws -> Data {
        var stored = Data()
        try await SMTPTransportTests.withServer { server in
            let configuration = SMTPConfiguration(
                host: "127.0.0.1", port: server.port, security: .none, commandTimeout: .seconds(10), dataTimeout: .seconds(10))
            let transport = SMTPTransport(configuration: configuration, renderer: MessageRenderer(dkim: try signer()))
            _ = try await transport.send(message, messageID: messageID, date: Date())
            await transport.close()
            let name = try #require(try FileManager.default.contentsOfDirectory(atPath: server.directory.path).filter { $0.hasSuffix(".eml") }.first)
            stored = try Data(contentsOf: server.directory.appendingPathComponent(name))
        }
        return stored
    }
}
