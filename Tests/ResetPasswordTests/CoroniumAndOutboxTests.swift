import Foundation
import ResetPressMail
import ResetPressStorage
import ResetPressTestSupport
import Testing
@testable import ResetPassword

@Suite struct CoroniumAndOutboxTests {
    @Test func sendPasswordResetLinkUsesTemplateKeysAndTheRawLink() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only"])
        try await site.addUser(email: "ann@example.org")
        try "Subject: {{ greeting }} from {{SITE_NAME}}\n\n<p>{{ greeting }}, <a href=\"{* reset_link *}\">reset</a> {{ tag }}</p>"
            .write(to: site.root.appendingPathComponent("templates/password/custom.html"), atomically: true, encoding: .utf8)
        try await site.plugin.service.sendPasswordResetLink(
            to: "ann@example.org", appName: "My App",
            options: PasswordResetLinkOptions(fromEmail: "app@example.org", templateName: "custom.html", templateKeys: ["greeting": "Hi", "tag": "<x>"]))
        let mail = try #require(try await site.queuedMail().last).message
        #expect(mail.subject == "Hi from My App")
        #expect(mail.from.email == "app@example.org")
        let html = try #require(mail.htmlBody)
        #expect(html.contains("<a href=\"https://accounts.example.org/_resetpassword?code="))
        #expect(html.contains("&lt;x&gt;"))
    }

    @Test func resetLinkInTemplateKeysIsAnError() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        await #expect(throws: PasswordResetLinkError.reservedKey("reset_link")) {
            try await site.plugin.service.sendPasswordResetLink(to: "ann@example.org", appName: nil, options: PasswordResetLinkOptions(templateKeys: ["reset_link": "x"]))
        }
        await #expect(throws: PasswordResetLinkError.unknownUser) {
            try await site.plugin.service.sendPasswordResetLink(to: "nobody@example.org", appName: nil)
        }
    }

    @Test func theSentMailJobDeletesSentMailOlderThanKeepSentDays() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_MAIL__KEEP_SENT_DAYS": "2"])
        try await site.addUser(email: "ann@example.org")
        try await site.plugin.service.sendPasswordResetLink(to: "ann@example.org", appName: nil)
        #expect(try await site.mail.sender.drain().sent == 1)
        #expect(try await site.storage.outbox.list(status: .sent, limit: 10).map(\.recipients) == [["ann@example.org"]])
        site.clock.advance(2 * 86_400 - 1)
        #expect(try await site.engine.jobs.run("flush_sent_mail") == "0 finished mail entries deleted")
        site.clock.advance(2)
        #expect(try await site.engine.jobs.run("flush_sent_mail") == "1 finished mail entries deleted")
        #expect(try await site.storage.outbox.counts().values.reduce(0, +) == 0)
    }

    @Test func flushDeletesExpiredCodesAndTheJobRunsIt() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only", "RESETPRESS_RESET_PASSWORD__THROTTLE_SECONDS": "0"])
        try await site.addUser(email: "ann@example.org")
        try await site.addUser(email: "bob@example.org")
        try await site.plugin.service.sendPasswordResetLink(to: "ann@example.org", appName: nil)
        site.clock.advance(86_401)
        try await site.plugin.service.sendPasswordResetLink(to: "bob@example.org", appName: nil)
        #expect(try await site.storage.resetCodes.count() == 2)
        let summary = try await site.engine.jobs.run("flush_expired_password_resets")
        #expect(summary == "1 expired reset codes deleted")
        #expect(try await site.storage.resetCodes.count() == 1)
        let listing = try await site.engine.jobs.list()
        #expect(listing.first { $0.job.name == "flush_expired_password_resets" }?.state?.runs == 1)
        #expect(listing.first { $0.job.name == "flush_expired_password_resets" }?.interval == 3600)
    }

    @Test func senderWritesParseableEmlFilesAndMarksThemSent() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org", firstName: "Zoë")
        try await site.plugin.service.sendPasswordResetLink(to: "ann@example.org", appName: nil)
        let result = try await site.mail.sender.drain()
        #expect(result.sent == 1)
        #expect(try await site.storage.outbox.counts()[.sent] == 1)
        let folder = site.dataDirectory.appendingPathComponent("mail")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }
        try #require(files.count == 1)
        // Parsed by Python's `email` package, not searched for substrings: no defect, the headers decoded,
        // both alternatives present and the link in each.
        let mail = try PythonEmailParser.parse(try String(contentsOf: folder.appendingPathComponent(files[0]), encoding: .utf8))
        #expect(mail.defects.isEmpty, "\(mail.defects)")
        #expect(mail.to == [ParsedMail.Address(name: "Zoë Lee", email: "ann@example.org")])
        #expect(mail.messageID?.hasPrefix("<") == true && mail.messageID?.hasSuffix(">") == true)
        #expect(mail.parts.map(\.type) == ["multipart/alternative", "text/plain", "text/html"])
        let link = "https://accounts.example.org/_resetpassword?code="
        #expect(mail.content(of: "text/plain")?.contains(link) == true)
        #expect(mail.content(of: "text/html")?.contains(link) == true)
    }
}
