import Foundation
import Logging
@testable import ResetPressDelivery
import ResetPressEngine
import ResetPressMail
import ResetPressStorage
import ResetPressTestSupport
import Testing

/// The `mail.dkim.*` settings: the site's transport signs with the key they name, and a key that does
/// not load is refused when written.
@Suite struct DKIMSettingsTests {
    @Test func theTransportSignsWithTheConfiguredKeyAndDKIMPyVerifiesIt() async throws {
        let folder = try TemporaryDirectory("dkim-settings")
        defer { folder.remove() }
        let key = try OpenSSLKey.shared()
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("keys"), withIntermediateDirectories: true)
        try key.privatePEM.write(to: folder.url.appendingPathComponent("keys/dkim.pem"), atomically: true, encoding: .utf8)
        let settings = try await MailTransportFactoryTests.settings(in: folder.url.appendingPathComponent("data"))
        let factory = MailTransportFactory(
            settings: settings, mailDirectory: folder.url.appendingPathComponent("mail"), root: folder.url, logger: Logger(label: "test"))
        let message = MailMessage(
            from: try MailAddress(email: "support@example.org", name: "Example"), to: [try MailAddress(email: "ann@example.org")],
            subject: "Your code", textBody: "Your reset code is ABC123.")

        let unsigned = try #require(factory.transport() as? FileMailTransport)
        let plain = try String(contentsOf: try unsigned.write(message, messageID: "<one@example.org>", date: Date()), encoding: .utf8)
        #expect(!plain.contains("DKIM-Signature"))

        _ = try await settings.set([
            "mail.dkim.domain": .text("example.org"), "mail.dkim.selector": .text("rp2026"),
            "mail.dkim.private_key_file": .text("keys/dkim.pem"),
        ])
        let signing = try #require(factory.transport() as? FileMailTransport)
        let signed = try Data(contentsOf: try signing.write(message, messageID: "<two@example.org>", date: Date()))
        let text = String(decoding: signed, as: UTF8.self)
        #expect(text.hasPrefix("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=rp2026;"))
        let verdict = try await DKIMPy.verify(signed, record: "v=DKIM1; k=rsa; p=\(key.publicKeyBase64)")
        #expect(verdict.ok, "\(verdict.log)")
        #expect(verdict.lookups == ["rp2026._domainkey.example.org."])
    }

    @Test func aKeyThatDoesNotLoadIsRefusedWhenWritten() async throws {
        let folder = try TemporaryDirectory("dkim-rule")
        defer { folder.remove() }
        let storage = SiteStorage.memory()
        let engine = Engine(root: folder.url, settingsStore: storage.settings, environment: [:])
        let delivery = MailDelivery(
            engine: engine, outbox: storage.outbox, sealer: InstallSecret(bytes: Data(repeating: 7, count: 32)).mailSealer(),
            mailDirectory: folder.url.appendingPathComponent("mail"), nodeID: "test", logger: Logger(label: "test"))
        try await engine.start(plugins: [delivery])

        let error = await #expect(throws: SettingsWriteError.self) {
            try await engine.settings.set(["mail.dkim.domain": .text("example.org"), "mail.dkim.private_key_file": .text("missing.pem")])
        }
        #expect(error?.messages.first?.key == "mail.dkim.private_key_file")
        #expect(engine.settings[MailSettings.dkimDomain].isEmpty)
    }
}
