import Foundation
import HTTPTypes
import HummingbirdTesting
import ResetPassword
import ResetPressEngine
import Testing

@Suite struct AdminSettingsPageTests {
    @Test func thePageHasASectionPerGroupAndAFieldPerSettingByKind() async throws {
        let site = try await AdminTestSite()
        try await site.settings(["mail.smtp.password": "s3cret-value", "http.cors_origins": "https://a.example, https://b.example"])
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let html = try await browser.get(client, "/admin").text
            for group in ["group-reset_password", "group-mail-smtp", "group-site", "group-admin", "group-http"] {
                #expect(html.contains("id=\"\(group)\""))
            }
            #expect(html.contains("<input type=\"checkbox\" id=\"setting-reset_password.enabled\" name=\"reset_password.enabled\" value=\"true\" checked>"))
            #expect(html.contains("<input type=\"number\" id=\"setting-reset_password.code_length\" name=\"reset_password.code_length\" value=\"20\""))
            #expect(html.contains("<select id=\"setting-reset_password.mode\""))
            #expect(html.contains("<textarea id=\"setting-reset_password.email_body\""))
            #expect(html.contains("https://a.example\nhttps://b.example</textarea>"))
            #expect(html.contains("<input type=\"password\" id=\"setting-mail.smtp.password\" name=\"mail.smtp.password\" value=\"\""))
            #expect(!html.contains("s3cret-value"))
            #expect(html.contains("<input type=\"password\" id=\"setting-admin.password_hash\" name=\"admin.password_hash\" disabled value=\"\""))
            #expect(!html.contains("$wp$2y$"))
        }
    }

    @Test func pinnedSettingsAreReadOnlyAndNameTheirSource() async throws {
        let site = try await AdminTestSite(environment: ["RESETPRESS_SITE__NAME": "Pinned <Name>"])
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let html = try await browser.get(client, "/admin").text
            #expect(html.contains("<input type=\"text\" id=\"setting-site.name\" name=\"site.name\" disabled value=\"Pinned &lt;Name&gt;\""))
            #expect(html.contains("Pinned by the environment variable <code>RESETPRESS_SITE__NAME</code>; read-only here."))
            #expect(!html.contains("Pinned <Name>"))

            let forced = try await browser.post(client, "/admin/settings", form: ["_csrf": browser.csrf ?? "", "site.name": "Other"])
            #expect(forced.status == .badRequest)
            #expect(forced.text.contains("site.name is pinned by the environment variable RESETPRESS_SITE__NAME"))
        }
        #expect(site.engine.settings[CoreSettings.siteName] == "Pinned <Name>")
    }

    @Test func aRefusedSaveShowsMessagesBesideTheFieldsAndSavesNothing() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let answer = try await browser.post(client, "/admin/settings", form: [
                "_csrf": browser.csrf ?? "", "site.name": "Changed name", "reset_password.code_length": "2",
                "reset_password.ip_limit_per_minute": "lots",
            ])
            #expect(answer.status == .badRequest)
            let html = answer.text
            #expect(html.contains("Nothing was saved: 2 problems to fix"))
            let row = try #require(html.range(of: "id=\"row-reset_password.code_length\""))
            let rowEnd = try #require(html[row.upperBound...].range(of: "</tr>"))
            let rowHTML = html[row.lowerBound..<rowEnd.lowerBound]
            #expect(rowHTML.contains("reset_password.code_length: must be between 6 and 64"))
            #expect(html.contains("<tr class=\"field has-error\" id=\"row-reset_password.ip_limit_per_minute\">"))
            #expect(html.contains("value=\"Changed name\""))
        }
        #expect(site.engine.settings[CoreSettings.siteName] == "ResetPress")
        #expect(try await site.storage.settings.loadAll()["site.name"] == nil)
    }

    @Test func aSaveWritesOnlyTheChangedFieldsAtomically() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let html = try await browser.get(client, "/admin").text
            #expect(html.contains("name=\"reset_password.enabled\""))
            let answer = try await browser.post(client, "/admin/settings", form: [
                "_csrf": browser.csrf ?? "", "site.name": "New name", "reset_password.code_length": "20", "reset_password.enabled": "true",
                "reset_password.notify_password_changed": "false", "http.cors_origins": "https://x.example\r\n\r\nhttps://y.example\r\n",
                "mail.smtp.password": "",
            ])
            #expect(answer.status == .seeOther)
            let page = try await browser.get(client, "/admin").text
            #expect(page.contains("Settings saved: http.cors_origins, reset_password.notify_password_changed, site.name."))
        }
        let stored = try await site.storage.settings.loadAll()
        #expect(Set(stored.keys) == ["admin.password_hash", "site.name", "reset_password.notify_password_changed", "http.cors_origins"])
        #expect(stored["http.cors_origins"] == .list(["https://x.example", "https://y.example"]))
        #expect(site.engine.settings.snapshot.resolved("reset_password.code_length")?.source == .defaultValue)
    }

    @Test func aFormWithoutItsCSRFTokenChangesNothing() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let missing = try await browser.post(client, "/admin/settings", form: ["site.name": "Forged"])
            #expect(missing.status == .forbidden)
            #expect(missing.text.contains("id=\"csrf-refused\""))
            let wrong = try await browser.post(client, "/admin/settings", form: ["site.name": "Forged", "_csrf": String(repeating: "a", count: 64)])
            #expect(wrong.status == .forbidden)
            for (path, form) in [("/admin/email", ["reset_password.mode": "store_only"]), ("/admin/auth-codes", ["code": "abcdefgh1234"]), ("/admin/mail/retry", [:]),
                                 ("/admin/webhooks/retry", [:])] {
                #expect(try await browser.post(client, path, form: form).status == .forbidden)
            }
        }
        #expect(site.engine.settings[CoreSettings.siteName] == "ResetPress")
        #expect(site.engine.settings[ResetPasswordSettings.mode] == .defaultEmail)
        #expect(try await site.reset.gate.list().isEmpty)
    }

    @Test func theEmailEditorSavesTheModeAndBodyOrShowsTheRuleBesideTheBody() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let editor = try await browser.get(client, "/admin/email").text
            #expect(editor.contains("id=\"mode-custom_email\""))
            #expect(editor.contains("id=\"preview-subject\">Reset your password for ResetPress</span>"))
            let refused = try await browser.post(client, "/admin/email", form: [
                "_csrf": browser.csrf ?? "", "reset_password.mode": "custom_email", "reset_password.email_type": "html",
                "reset_password.email_subject": "Hi", "reset_password.email_body": "<p>no variable</p>",
            ])
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("You need to add the {{CODE}} variable in email body. (10066)"))
            #expect(site.engine.settings[ResetPasswordSettings.mode] == .defaultEmail)

            let saved = try await browser.post(client, "/admin/email", form: [
                "_csrf": browser.csrf ?? "", "reset_password.mode": "custom_email", "reset_password.email_type": "html",
                "reset_password.email_subject": "Hi {{NAME}}", "reset_password.email_body": "<p>Code: {{CODE}}</p>\r\n",
            ])
            #expect(saved.status == .seeOther)
            let frame = try await browser.get(client, "/admin/email/preview")
            #expect(frame.text.contains("<p>Code: "))
            #expect(frame.headers[HTTPField.Name("Content-Security-Policy")!]?.hasPrefix("sandbox;") == true)
        }
        #expect(site.engine.settings[ResetPasswordSettings.mode] == .customEmail)
        #expect(site.engine.settings[ResetPasswordSettings.emailBody] == "<p>Code: {{CODE}}</p>\n")
    }
}

extension AdminTestSite {
    /// Writes settings through the engine.
    func settings(_ changes: [String: String]) async throws {
        try await engine.settings.set(changes.mapValues { .text($0) })
    }
}
