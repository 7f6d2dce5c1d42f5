import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPressUsers
import Testing

/// The reset-form page's assets, headers and new-link form (the pages the browser tests drive).
@Suite struct ResetFormPageTests {
    @Test func assetsComeFromTheTemplatesFolderAndNothingElseIsServed() async throws {
        let site = try await TestSite()
        try "body { color: red; }".write(to: site.root.appendingPathComponent("templates/pages/assets/page.css"), atomically: true, encoding: .utf8)
        try await site.test { client in
            let css = try await client.execute(uri: "/_resetpassword/assets/page.css", method: .get)
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.text == "body { color: red; }")
            let script = try await client.execute(uri: "/_resetpassword/assets/page.js", method: .get)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.text.contains("history.replaceState"))
            for path in ["/_resetpassword/assets/..%2Fpassword_form.html", "/_resetpassword/assets/missing.css", "/_resetpassword/assets/.hidden.css", "/_resetpassword/assets/page.html"] {
                #expect(try await client.execute(uri: path, method: .get).status == .notFound)
            }
            #expect(try await client.execute(uri: "/admin/assets/admin.js", method: .get).status == .ok)
        }
    }

    @Test func everyPageCarriesTheStrictHeaders() async throws {
        let site = try await TestSite()
        try await site.test { client in
            let page = try await client.execute(uri: "/_resetpassword?code=nope", method: .get)
            #expect(page.text.contains("id=\"new-link-form\""))
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            let policy = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
            #expect(policy.contains("script-src 'self';"))
            #expect(policy.contains("connect-src 'self';"))
            #expect(!policy.contains("unsafe-inline"))
        }
    }

    @Test func aNewLinkIsAnsweredAlikeForKnownAndUnknownAddresses() async throws {
        let site = try await TestSite()
        let hash = try await site.plugin.passwordHasher.hash("old-password-1", cost: 4)
        _ = try await site.storage.users.add(
            NewUser(login: "ann", email: "ann@example.org", displayName: "Ann", nickname: "ann", firstName: "Ann", lastName: "Lee", passwordHash: hash),
            now: Date())
        try await site.test { client in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let known = try await client.execute(uri: "/_resetpassword/new-link", method: .post, headers: form, body: ByteBuffer(string: "email=ann%40example.org"))
            let unknown = try await client.execute(uri: "/_resetpassword/new-link", method: .post, headers: form, body: ByteBuffer(string: "email=bob%40example.org"))
            #expect(known.status == .ok)
            #expect(known.text == unknown.text)
            #expect(known.text.contains("id=\"link-sent\""))
            #expect(known.headers[.cacheControl] == "no-store")
            let invalid = try await client.execute(uri: "/_resetpassword/new-link", method: .post, headers: form, body: ByteBuffer(string: "email=nope"))
            #expect(invalid.status == .badRequest)
            #expect(invalid.text.contains("Enter the email address of your account."))
        }
        let mail = try await site.storage.outbox.list(status: nil, limit: 10)
        #expect(mail.map(\.to) == [["ann@example.org"]])
    }
}
