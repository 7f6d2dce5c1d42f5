import Foundation
import Logging
@testable import ResetPressDelivery
import ResetPressEngine
import ResetPressMail
import ResetPressStorage
import Testing

/// ``MailTransportFactory`` reading the live settings: one transport while they stay the same.
@Suite struct MailTransportFactoryTests {
    static func settings(in folder: URL) async throws -> SettingsEngine {
        let database = try SQLiteDatabase(dataDirectory: folder)
        let settings = SettingsEngine(store: database.settings, environment: [:], settingsDirectory: nil, hooks: HookRegistry())
        MailSettings.register(in: settings)
        try await settings.load()
        return settings
    }

    @Test func theTransportFollowsTheSettingsAndIsKeptWhileTheyAreUnchanged() async throws {
        let folder = try TemporaryDirectory("factory")
        defer { folder.remove() }
        let settings = try await Self.settings(in: folder.url)
        let mailDirectory = folder.url.appendingPathComponent("mail")
        let factory = MailTransportFactory(settings: settings, mailDirectory: mailDirectory, logger: Logger(label: "test"))

        let file = try #require(factory.transport() as? FileMailTransport)
        #expect(file.directory == mailDirectory)

        _ = try await settings.set([
            "mail.transport": .text("smtp"), "mail.smtp.host": .text("mail.example.com"), "mail.smtp.port": .text("465"),
            "mail.smtp.security": .text("tls"), "mail.smtp.username": .text("site"), "mail.smtp.password": .text("pw"),
            "mail.smtp.ca_file": .text("/etc/ssl/private-ca.pem"),
        ])
        let smtp = try #require(factory.transport() as? SMTPTransport)
        #expect(smtp.configuration == SMTPConfiguration(
            host: "mail.example.com", port: 465, security: .tls, username: "site", password: "pw", caFile: "/etc/ssl/private-ca.pem"))
        #expect(factory.transport() as? SMTPTransport === smtp)

        _ = try await settings.set(["mail.smtp.port": .text("587"), "mail.smtp.security": .text("starttls")])
        let changed = try #require(factory.transport() as? SMTPTransport)
        #expect(changed !== smtp)
        #expect(changed.configuration.port == 587 && changed.configuration.security == .startTLS)

        _ = try await settings.set(["mail.transport": .text("sendmail"), "mail.sendmail.path": .text("/usr/bin/msmtp")])
        #expect((factory.transport() as? SendmailTransport)?.path == "/usr/bin/msmtp")

        _ = try await settings.set([
            "mail.transport": .text("mailgun"), "mail.mailgun.domain": .text("mg.example.com"),
            "mail.mailgun.api_key": .text("key-1"), "mail.mailgun.base_url": .text("https://api.eu.mailgun.net"),
        ])
        let mailgun = try #require(factory.transport() as? MailgunTransport)
        #expect(mailgun.domain == "mg.example.com" && mailgun.apiKey == "key-1" && mailgun.baseURL == "https://api.eu.mailgun.net")
        #expect(MailTransportFactory.describe(settings.snapshot, mailDirectory: mailDirectory) == "mailgun mg.example.com via https://api.eu.mailgun.net")
    }

    @Test func everyTransportIsAcceptedBySettings() async throws {
        let folder = try TemporaryDirectory("factory-kinds")
        defer { folder.remove() }
        let settings = try await Self.settings(in: folder.url)
        for kind in MailTransportKind.allCases {
            _ = try await settings.set(["mail.transport": .text(kind.rawValue)])
            #expect(settings[MailSettings.transport] == kind)
        }
    }
}
