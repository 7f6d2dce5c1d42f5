import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPassword
import ResetPressEngine
import ResetPressHTTP
import ResetPressMail
import ResetPressStorage
import Testing

@Suite struct AdminAPITests {
    @Test func theSettingsAPIListsMaskedValuesAndWritesAtomically() async throws {
        let site = try await AdminTestSite(environment: ["RESETPRESS_MAIL__FROM": "owner@example.org"])
        let bearer = try await site.bearer()
        try await site.test { client in
            let list = try await client.execute(uri: "/admin/api/settings", method: .get, headers: bearer)
            #expect(list.status == .ok)
            let settings = try #require(list.json["data"]?["settings"]?.arrayElements)
            let hash = try #require(settings.first { $0["key"]?.stringValue == "admin.password_hash" })
            #expect(hash["value"]?.stringValue?.hasPrefix("********") == true)
            #expect(hash["writable"] == false)
            let from = try #require(settings.first { $0["key"]?.stringValue == "mail.from" })
            #expect(from["source"]?.stringValue == "env RESETPRESS_MAIL__FROM")
            #expect(from["pinned"] == true)
            let mode = try #require(settings.first { $0["key"]?.stringValue == "reset_password.mode" })
            #expect(mode["options"]?.arrayElements?.count == 3)

            let refused = try await client.execute(
                uri: "/admin/api/settings", method: .post, headers: bearer,
                body: ByteBuffer(string: #"{"site.name": "API name", "reset_password.code_length": 3, "mail.from": "x@example.org"}"#))
            #expect(refused.status == .badRequest)
            let keys = refused.json["data"]?["errors"]?.arrayElements?.compactMap { $0["key"]?.stringValue }
            #expect(keys == ["mail.from", "reset_password.code_length"])
            #expect(site.engine.settings[CoreSettings.siteName] == "ResetPress")

            let protected = try await client.execute(
                uri: "/admin/api/settings", method: .post, headers: bearer, body: ByteBuffer(string: #"{"admin.password_hash": ""}"#))
            #expect(protected.status == .badRequest)

            let saved = try await client.execute(
                uri: "/admin/api/settings", method: .post, headers: bearer,
                body: ByteBuffer(string: #"{"site.name": "API name", "reset_password.code_length": 24, "http.cors_origins": ["https://a.example"]}"#))
            #expect(saved.status == .ok)
            #expect(saved.json["data"]?["changed"]?.arrayElements?.count == 3)
        }
        #expect(site.engine.settings[CoreSettings.siteName] == "API name")
        #expect(site.engine.settings[ResetPasswordSettings.codeLength] == 24)
    }

    @Test func aSessionCallerNeedsTheCSRFHeaderToChangeAnything() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            #expect(try await browser.api(client, .get, "/admin/api/auth-codes", csrfHeader: false).status == .ok)
            let refused = try await browser.api(client, .post, "/admin/api/settings", json: #"{"site.name": "No token"}"#, csrfHeader: false)
            #expect(refused.status == .forbidden)
            let accepted = try await browser.api(client, .post, "/admin/api/settings", json: #"{"site.name": "With token"}"#)
            #expect(accepted.status == .ok)
            let wrongBearer = try await client.execute(uri: "/admin/api/settings", method: .get, headers: [.authorization: "Bearer nope"])
            #expect(wrongBearer.status == .unauthorized)
        }
        #expect(site.engine.settings[CoreSettings.siteName] == "With token")
    }

    @Test func thePreviewRendersTheDraftWithoutSavingIt() async throws {
        let site = try await AdminTestSite()
        let bearer = try await site.bearer()
        try await site.test { client in
            let draft = #"""
            {"reset_password.mode": "custom_email", "reset_password.email_type": "html",
             "reset_password.email_subject": "Hello {{FIRST_NAME}}", "reset_password.email_body": "<p>Draft body {{CODE}} <b>{{NAME}}</b></p>"}
            """#
            let preview = try await client.execute(uri: "/admin/api/preview", method: .post, headers: bearer, body: ByteBuffer(string: draft))
            #expect(preview.status == .ok)
            let data = try #require(preview.json["data"])
            #expect(data["subject"]?.stringValue == "Hello Jane")
            let html = try #require(data["html"]?.stringValue)
            #expect(html.hasPrefix("<p>Draft body "))
            #expect(html.contains("<b>Jane Doe</b>"))
            #expect(data["text"]?.stringValue?.contains("Draft body") == true)

            let storeOnly = try await client.execute(
                uri: "/admin/api/preview", method: .post, headers: bearer, body: ByteBuffer(string: #"{"reset_password.mode": "store_only"}"#))
            #expect(storeOnly.json["data"]?["mail"] == false)
            let bad = try await client.execute(
                uri: "/admin/api/preview", method: .post, headers: bearer, body: ByteBuffer(string: #"{"reset_password.mode": "carrier_pigeon"}"#))
            #expect(bad.status == .badRequest)
        }
        #expect(site.engine.settings[ResetPasswordSettings.mode] == .defaultEmail)
    }

    @Test func authCodesAreAddedListedAndRemoved() async throws {
        let site = try await AdminTestSite()
        let bearer = try await site.bearer()
        try await site.test { client in
            let added = try await client.execute(
                uri: "/admin/api/auth-codes", method: .post, headers: bearer, body: ByteBuffer(string: #"{"role": "editor", "expires_in_days": 7}"#))
            #expect(added.status == .ok)
            let code = try #require(added.json["data"]?["auth_code"]?["code"]?.stringValue)
            #expect(code.count == 32)
            let short = try await client.execute(uri: "/admin/api/auth-codes", method: .post, headers: bearer, body: ByteBuffer(string: #"{"code": "short"}"#))
            #expect(short.status == .badRequest)
            let list = try await client.execute(uri: "/admin/api/auth-codes", method: .get, headers: bearer)
            let codes = try #require(list.json["data"]?["auth_codes"]?.arrayElements)
            #expect(codes.count == 1)
            #expect(codes[0]["last_four"]?.stringValue == String(code.suffix(4)))
            #expect(!list.text.contains(code))
            let id = Int(try #require(codes[0]["id"]?.numberValue))
            #expect(try await client.execute(uri: "/admin/api/auth-codes/\(id)", method: .delete, headers: bearer).status == .ok)
            #expect(try await client.execute(uri: "/admin/api/auth-codes/\(id)", method: .delete, headers: bearer).status == .notFound)
        }
        #expect(try await site.reset.gate.list().isEmpty)
    }

    @Test func theAuthCodePageShowsAGeneratedCodeOnceAndRemovesIt() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let added = try await browser.post(client, "/admin/auth-codes", form: ["_csrf": browser.csrf ?? "", "role": "<script>"])
            #expect(added.status == .ok, "shown in the answer, never kept in the session's row")
            let page = added.text
            #expect(page.contains("copy it now, it is not shown again."))
            #expect(page.contains("&lt;script&gt;"))
            #expect(!page.contains("<script>"))
            #expect(!(try await browser.get(client, "/admin/auth-codes").text.contains("copy it now")))
            let id = try #require(try await site.reset.gate.list().first?.id)
            #expect(try await browser.post(client, "/admin/auth-codes/\(id)/delete", form: ["_csrf": browser.csrf ?? ""]).status == .seeOther)
        }
        #expect(try await site.reset.gate.list().isEmpty)
    }

    @Test func aShortSJLAuthCodeIsMarkedWeakOnThePageAndInTheAPI() async throws {
        let site = try await AdminTestSite()
        let bearer = try await site.bearer()
        _ = try await site.reset.gate.add(code: "123", role: "", expiresAt: nil, allowShort: true, by: .cli)
        _ = try await site.reset.gate.add(code: "a-long-enough-code", role: "", expiresAt: nil, by: .cli)
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let page = try await browser.get(client, "/admin/auth-codes").text
            #expect(page.components(separatedBy: "class=\"weak\"").count == 2)  // the short one only
            let list = try await client.execute(uri: "/admin/api/auth-codes", method: .get, headers: bearer)
            let codes = try #require(list.json["data"]?["auth_codes"]?.arrayElements)
            #expect(codes.map { $0["weak"] } == [.bool(true), .bool(false)])
        }
    }

    @Test func failedMailIsListedAndQueuedAgain() async throws {
        let site = try await AdminTestSite()
        let bearer = try await site.bearer()
        let message = MailMessage(
            from: try MailAddress(email: "from@example.org"), to: [try MailAddress(email: "to@example.org")], subject: "Subject <b>", textBody: "Body")
        let outbox = site.storage.outbox
        let id = try await outbox.enqueue(OutboxMail(kind: "reset_code", message: message, messageID: "<x@example.org>"), now: Date())
        _ = try await outbox.claimDue(limit: 10, now: Date().addingTimeInterval(1), owner: "test", leaseUntil: Date().addingTimeInterval(60))
        try await outbox.markFailed(id: id, error: "550 mailbox <unavailable>")
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let page = try await browser.get(client, "/admin/mail").text
            #expect(page.contains("failed (1)"))
            #expect(page.contains("550 mailbox &lt;unavailable&gt;"))
            #expect(page.contains("Subject &lt;b&gt;"))
            let list = try await client.execute(uri: "/admin/api/mail?status=failed", method: .get, headers: bearer)
            #expect(list.json["data"]?["mail"]?[0]?["last_error"]?.stringValue == "550 mailbox <unavailable>")
            let retried = try await client.execute(uri: "/admin/api/mail/retry", method: .post, headers: bearer, body: ByteBuffer(string: "{\"ids\": [\(id)]}"))
            #expect(retried.json["data"]?["requeued"]?.numberValue == 1)
        }
        #expect(try await outbox.counts()[.queued] == 1)
    }

    @Test func sentMailShowsTheTransportsAnswer() async throws {
        let site = try await AdminTestSite()
        let bearer = try await site.bearer()
        let message = MailMessage(
            from: try MailAddress(email: "from@example.org"), to: [try MailAddress(email: "to@example.org")], subject: "Subject", textBody: "Body")
        let outbox = site.storage.outbox
        let id = try await outbox.enqueue(OutboxMail(kind: "reset_code", message: message, messageID: "<y@example.org>"), now: Date())
        _ = try await outbox.claimDue(limit: 10, now: Date().addingTimeInterval(1), owner: "test", leaseUntil: Date().addingTimeInterval(60))
        try await outbox.markSent(id: id, at: Date(), detail: "250 2.0.0 Ok: queued as <4F3A21B>")
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let page = try await browser.get(client, "/admin/mail").text
            #expect(page.contains("<th>Answer</th>"))
            #expect(page.contains("<td>250 2.0.0 Ok: queued as &lt;4F3A21B&gt;</td>"))
            let list = try await client.execute(uri: "/admin/api/mail?status=sent", method: .get, headers: bearer)
            #expect(list.json["data"]?["mail"]?[0]?["delivery_detail"]?.stringValue == "250 2.0.0 Ok: queued as <4F3A21B>")
        }
    }
}

/// The API's tokens (issue 22): scoped, revocable, expiring; the admin password as a bearer refused by default.
extension AdminAPITests {
    @Test func aReadTokenReadsButCannotWriteSettings() async throws {
        let site = try await AdminTestSite()
        let read = try await site.bearer(scopes: [.read])
        try await site.test { client in
            #expect(try await client.execute(uri: "/admin/api/settings", method: .get, headers: read).status == .ok)
            let write = try await client.execute(
                uri: "/admin/api/settings", method: .post, headers: read, body: ByteBuffer(string: #"{"site.name": "Not allowed"}"#))
            #expect(write.status == .forbidden)
            let envelope = try JSONValue(parsing: write.body)
            #expect(envelope["success"] == .bool(false))
            #expect(envelope["data"]?["errorCode"]?.numberValue == 403)
            #expect(envelope["data"]?["message"]?.stringValue?.contains("'settings' scope") == true)
        }
        #expect(site.engine.settings.snapshot[CoreSettings.siteName] != "Not allowed")
        let listed = try #require(try await site.admin.tokens?.list().first)
        #expect(listed.lastUsedAt != nil, "a use is stamped")
    }

    @Test func aRevokedOrExpiredTokenIsRefused() async throws {
        let site = try await AdminTestSite()
        let tokens = try #require(site.admin.tokens)
        let (revoked, record) = try await tokens.issue(name: "old", scopes: [.read], expiresAt: nil, now: Date(), by: .cli)
        #expect(try await tokens.revoke(id: record.id, now: Date(), by: .cli))
        let (expired, _) = try await tokens.issue(name: "short", scopes: [.read], expiresAt: Date().addingTimeInterval(-1), now: Date(), by: .cli)
        try await site.test { client in
            for token in [revoked, expired, "rpt_" + String(repeating: "A", count: 43)] {
                let answer = try await client.execute(uri: "/admin/api/settings", method: .get, headers: [.authorization: "Bearer \(token)"])
                #expect(answer.status == .unauthorized)
            }
        }
    }

    @Test func theAdminPasswordAsABearerIsRefusedUnlessTurnedOn() async throws {
        let password: HTTPFields = [.authorization: "Bearer \(AdminTestSite.password)"]
        let site = try await AdminTestSite()
        try await site.test { client in
            let refused = try await client.execute(uri: "/admin/api/settings", method: .get, headers: password)
            #expect(refused.status == .unauthorized)
            #expect(String(buffer: refused.body).contains("resetpress admin tokens add"))
        }
        let old = try await AdminTestSite(environment: ["RESETPRESS_ADMIN__API_PASSWORD_BEARER": "true"])
        try await old.test { client in
            let accepted = try await client.execute(uri: "/admin/api/settings", method: .get, headers: password)
            #expect(accepted.status == .ok)
        }
    }
}
