import Foundation
import ResetPressEngine
import Testing
@testable import ResetPassword

/// Template names stay in `templates/password/`, and a Coronium template must carry the link (issue 25).
@Suite struct TemplateNameTests {
    /// A store_only site with Ann, whose Coronium mail is the only mail it could queue.
    private func site() async throws -> TestSite {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only"])
        try await site.addUser(email: "ann@example.org")
        return site
    }

    private func send(_ site: TestSite, template: String) async throws {
        try await site.plugin.service.sendPasswordResetLink(
            to: "ann@example.org", appName: nil, options: PasswordResetLinkOptions(templateName: template))
    }

    @Test(arguments: ["../../../../etc/passwd", "/etc/passwd", "..", "sub/../link.html", ".hidden", "fr/link.html", "a\\b", ""])
    func pathsAreRefusedAndNothingIsQueued(_ name: String) async throws {
        let site = try await site()
        let error = await #expect(throws: PasswordResetLinkError.self) { try await send(site, template: name) }
        guard case .invalidTemplateName(let why)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(why.contains("not a template name") && why.contains("letters, digits"))
        #expect(try await site.storage.outbox.list(status: nil, limit: 10).isEmpty)
        #expect(try await site.storage.resetCodes.count() == 0)
    }

    @Test func aSymlinkLeadingOutOfTheFolderIsRefused() async throws {
        let site = try await site()
        let outside = site.root.appendingPathComponent("outside.html")
        try "<a href=\"{* reset_link *}\">secret file</a>".write(to: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            at: site.root.appendingPathComponent("templates/password/escape.html"), withDestinationURL: outside)
        let error = await #expect(throws: PasswordResetLinkError.self) { try await send(site, template: "escape.html") }
        guard case .invalidTemplateName(let why)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(why.contains("outside templates/password/"))
        #expect(try await site.storage.outbox.list(status: nil, limit: 10).isEmpty)
    }

    @Test func aSymlinkInsideTheFolderIsFollowed() async throws {
        let site = try await site()
        let folder = site.root.appendingPathComponent("templates/password")
        try FileManager.default.createSymbolicLink(
            at: folder.appendingPathComponent("alias.html"), withDestinationURL: folder.appendingPathComponent("link.html"))
        try await send(site, template: "alias.html")
        #expect(try await site.queuedMail().count == 1)
    }

    @Test func aCoroniumTemplateWithoutTheLinkIsRefusedNamingIt() async throws {
        let site = try await site()
        try "Subject: Hello\n\nYour code is {{CODE}}, nothing else."
            .write(to: site.root.appendingPathComponent("templates/password/nolink.tpl"), atomically: true, encoding: .utf8)
        let error = await #expect(throws: PasswordResetLinkError.self) { try await send(site, template: "nolink.tpl") }
        guard case .missingResetLink(let why)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(why.contains("templates/password/nolink.tpl") && why.contains("{* reset_link *}"))
        #expect(try await site.storage.outbox.list(status: nil, limit: 10).isEmpty)
        #expect(try await site.storage.resetCodes.count() == 0)
    }

    @Test(arguments: ["{* reset_link *}", "{{ RESET_LINK }}", "{{reset_link}}", "{*RESET_LINK*}"])
    func everySpellingOfTheLinkIsAccepted(_ placeholder: String) async throws {
        let site = try await site()
        try "Go to \(placeholder)".write(to: site.root.appendingPathComponent("templates/password/mine.tpl"), atomically: true, encoding: .utf8)
        try await send(site, template: "mine.tpl")
        let mail = try #require(try await site.queuedMail().first)
        #expect(mail.message.textBody.contains("https://accounts.example.org/_resetpassword?code="))
    }

    @Test func theShippedTemplatesPassTheRule() async throws {
        let site = try await site()
        try await site.plugin.service.sendPasswordResetLink(to: "ann@example.org", appName: nil)
        #expect(try await site.queuedMail().count == 1)
    }

    @Test func theSettingSharesTheCheck() async throws {
        let site = try await TestSite()
        for name in ["../x.html", "/etc/passwd", "sub/x.html", ".x"] {
            await #expect(throws: (any Error).self) { try await site.set(["reset_password.email_template": name]) }
        }
        #expect(PasswordTemplateName.problem("custom-1_a.html") == nil)
    }
}
