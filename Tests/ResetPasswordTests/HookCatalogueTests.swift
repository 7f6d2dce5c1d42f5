import Foundation
import Hummingbird
import HummingbirdTesting
import ResetPressEngine
import ResetPressHTTP
import ResetPressMail
import ResetPressTemplates
import ResetPressTestSupport
import Synchronization
import Testing
@testable import ResetPassword

@Suite struct HookCatalogueTests {
    let path = TestSite.namespace + "/user/reset_password"

    @Test func mailFiltersRewriteTemplateSubjectVariablesAndMessage() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        let hooks = site.engine.hooks
        hooks.addFilter("simple_jwt_login_reset_password_custom_email_template") { (body: String, context: HookContext) in
            "Filtered for {{TICKET}} (\(context.user?.login ?? "?")): " + body
        }
        hooks.addFilter("reset_password_email_subject") { (subject: String, _) in "[Support] " + subject }
        hooks.addFilter("reset_password_email_variables") { (variables: TemplateVariables, _) in
            variables.merging(["TICKET": "T-42"])
        }
        hooks.addFilter("reset_password_mail") { (message: MailMessage, _) in
            var message = message
            message.replyTo = try MailAddress(email: "help@example.org")
            return message
        }
        try await site.test { client in _ = try await client.send(.post, path, json: ["email": "ann@example.org"]) }
        let mail = try #require(try await site.queuedMail().last).message
        #expect(mail.subject == "[Support] Reset your password for Example Site")
        #expect(mail.textBody.hasPrefix("Filtered for T-42 (ann): Hello Ann Lee,"))
        #expect(mail.htmlBody?.hasPrefix("Filtered for T-42 (ann): <!DOCTYPE html>") == true)
        #expect(mail.replyTo?.email == "help@example.org")
    }

    @Test func allowPasswordResetVetoIssuesNothingButAnswersAlike() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        site.engine.hooks.addFilter("allow_password_reset") { (_: Bool, context: HookContext) in context.user?.email != "ann@example.org" }
        try await site.test { client in
            let response = try await client.send(.post, path, json: ["email": "ann@example.org"])
            #expect(response.message == "Reset password email has been sent.")
        }
        #expect(site.codes.withLock { $0.isEmpty })
        #expect(site.audit.withLock { $0 }.contains { $0.hasPrefix("reset_password_failed:reset_not_allowed:") })
    }

    @Test func expirationFilterSetsTheLifetime() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only"])
        try await site.addUser(email: "ann@example.org")
        site.engine.hooks.addFilter("reset_password_expiration") { (_: Int, _) in 120 }
        try await site.test { client in
            // Both sides of the filtered lifetime (the default is a day): valid at 119 s, expired at 121 s.
            _ = try await client.send(.post, path, json: ["email": "ann@example.org"])
            site.clock.advance(119)
            let inTime = try await client.send(.put, path, json: ["email": "ann@example.org", "code": site.lastCode ?? "", "new_password": "brand-new-secret"])
            #expect(inTime.status == .ok)
            _ = try await client.send(.post, path, json: ["email": "ann@example.org"])
            site.clock.advance(121)
            let late = try await client.send(.put, path, json: ["email": "ann@example.org", "code": site.lastCode ?? "", "new_password": "another-new-secret"])
            #expect(late.errorCode == 62)
        }
        #expect(site.codes.withLock { $0.count } == 2)
        #expect(try await site.passwordMatches("ann@example.org", "brand-new-secret"))
    }

    @Test func responseFiltersRewriteTheJSON() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only"])
        try await site.addUser(email: "ann@example.org")
        site.engine.hooks.addFilter("simple_jwt_login_response_send_reset_password") { (json: JSONValue, _) in json.setting("extra", to: "yes") }
        site.engine.hooks.addFilter("response_change_user_password") { (json: JSONValue, _) in json.setting("changed", to: true) }
        try await site.test { client in
            let sent = try await client.send(.post, path, json: ["email": "ann@example.org"])
            #expect(sent.json["extra"]?.stringValue == "yes")
            let changed = try await client.send(.put, path, json: ["email": "ann@example.org", "code": site.lastCode ?? "", "new_password": "brand-new-secret"])
            #expect(changed.json["changed"] == true)
        }
    }

    @Test func auditActionsFireWithContextsFreeOfSecrets() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only"])
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in
            _ = try await client.send(.post, path, json: ["email": "ann@example.org", "AUTH_KEY": "secret-auth"])
            let code = site.lastCode ?? ""
            _ = try await client.send(.put, path, json: ["email": "ann@example.org", "code": "wrong", "new_password": "brand-new-secret"])
            _ = try await client.send(.put, path, json: ["email": "ann@example.org", "code": code, "new_password": "brand-new-secret"])
        }
        let audit = site.audit.withLock { $0 }
        #expect(audit.contains { $0.hasPrefix("reset_password_request:ann:") })
        #expect(audit.contains { $0.hasPrefix("reset_password_failed:wrong_code:") })
        #expect(audit.contains { $0.hasPrefix("password_reset:ann:") })
        let everything = audit.joined()
        #expect(!everything.contains("brand-new-secret"))
        #expect(!everything.contains("secret-auth"))
        #expect(!everything.contains(site.lastCode ?? "-"))
        #expect(everything.contains("\"client_ip\":\"127.0.0.1\""))
        #expect(everything.contains("\"mode\":\"store_only\""))
    }

    @Test func executableHookFiltersTheEmailBody() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        let hook = site.root.appendingPathComponent("hooks/simple_jwt_login_reset_password_custom_email_template/10-short")
        try ExecutableFile.write("#!/bin/sh\ncat >/dev/null\necho 'Exec says: {{CODE}}'\n", to: hook)
        site.engine.loadExecutableHooks()
        try await site.test { client in _ = try await client.send(.post, path, json: ["email": "ann@example.org"]) }
        let mail = try #require(try await site.queuedMail().last).message
        #expect(mail.textBody == "Exec says: \(site.lastCode ?? "?")")
    }

    @Test func aRenamedAuthKeyNeverReachesSwiftOrExecutableHooks() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        _ = try await site.plugin.gate.add(code: "open-sesame-42", role: "", expiresAt: nil, by: .cli)
        try await site.set(["reset_password.requires_auth_code": "true", "reset_password.auth_code_key": "sesame"])
        let seen = site.root.appendingPathComponent("seen-by-exec.json")
        let hook = site.root.appendingPathComponent("hooks/reset_password_request/10-record")
        try ExecutableFile.write("#!/bin/sh\ncat > '\(seen.path)'\n", to: hook)
        site.engine.loadExecutableHooks()
        let swiftSeen = Mutex<[String]>([])
        site.engine.hooks.addFilter("reset_password_custom_email_template") { (body: String, context: HookContext) in
            let json = String(decoding: try JSONEncoder().encode(context), as: UTF8.self)
            swiftSeen.withLock { $0.append(json) }
            return body
        }
        try await site.test { client in
            let answer = try await client.send(.post, path, json: ["email": "ann@example.org", "sesame": "open-sesame-42", "plan": "pro"])
            #expect(answer.status == .ok)
        }
        let exec = try String(contentsOf: seen, encoding: .utf8)
        let swift = swiftSeen.withLock { $0.joined() }
        #expect(exec.contains("\"plan\":\"pro\"") && swift.contains("\"plan\":\"pro\""))
        for text in [exec, swift, site.audit.withLock { $0.joined() }] {
            #expect(!text.contains("open-sesame-42"))
            #expect(!text.contains("sesame\""))
        }
    }

    @Test func aTemplateFilterThatDropsTheCodeIsSkipped() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        site.engine.hooks.addFilter("reset_password_custom_email_template") { (_: String, _: HookContext) in "Hello, nothing to see." }
        site.engine.hooks.addFilter("reset_password_custom_email_template", priority: 20) { (_: String, _: HookContext) in "  " }
        try await site.test { client in _ = try await client.send(.post, path, json: ["email": "ann@example.org"]) }
        let mail = try #require(try await site.queuedMail().last).message
        let code = try #require(site.lastCode)
        #expect(mail.textBody.contains(code))
        #expect(!mail.textBody.contains("nothing to see"))
    }

    @Test func aFloodingExecutableTemplateFilterIsSkipped() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        let hook = site.root.appendingPathComponent("hooks/simple_jwt_login_reset_password_custom_email_template/10-flood")
        try ExecutableFile.write("#!/bin/sh\ncat >/dev/null\nhead -c 8388608 /dev/zero | tr '\\0' 'j'\n", to: hook)
        site.engine.loadExecutableHooks()
        try await site.test { client in _ = try await client.send(.post, path, json: ["email": "ann@example.org"]) }
        let mail = try #require(try await site.queuedMail().last).message
        #expect(mail.textBody.contains(try #require(site.lastCode)))
        #expect(mail.textBody.utf8.count < 10_000)
    }
}
