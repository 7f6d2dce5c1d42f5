import Foundation
import HTTPTypes
import HummingbirdTesting
import ResetPressAdmin
import ResetPressStorage
import Testing

@Suite struct AdminSignInTests {
    @Test func pagesNeedASignedInSession() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            for path in ["/admin", "/admin/email", "/admin/auth-codes", "/admin/mail", "/admin/webhooks"] {
                let answer = try await client.execute(uri: path, method: .get)
                #expect(answer.status == .seeOther)
                #expect(answer.headers[.location] == "/admin/login")
            }
            let api = try await client.execute(uri: "/admin/api/settings", method: .get)
            #expect(api.status == .unauthorized)
            #expect(api.json["success"] == false)
        }
    }

    @Test func theRightPasswordStartsANewSessionWithSafeCookieFlags() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.openSignIn(client)
            let anonymous = try #require(browser.cookie)
            let wrong = try await browser.post(client, "/admin/login", form: ["password": "not it at all", "_csrf": browser.csrf ?? ""])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("Wrong password."))

            let answer = try await browser.post(client, "/admin/login", form: ["password": AdminTestSite.password, "_csrf": browser.csrf ?? ""])
            #expect(answer.status == .seeOther)
            #expect(answer.headers[.location] == "/admin/dashboard")
            let setCookie = try #require(answer.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Strict"))
            #expect(setCookie.contains("Path=/admin"))
            #expect(!setCookie.contains("Secure"))
            let signedIn = try #require(AdminBrowser.cookieValue(setCookie))
            #expect(signedIn != anonymous)
            #expect(signedIn.count == 64)

            browser.cookie = signedIn
            let page = try await browser.get(client, "/admin")
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"settings-form\""))
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)

            browser.cookie = anonymous
            #expect(try await browser.get(client, "/admin").status == .seeOther)
        }
    }

    @Test func anHTTPSSiteGetsASecureCookie() async throws {
        let site = try await AdminTestSite(environment: ["RESETPRESS_SITE__URL": "https://accounts.example.org"])
        try await site.test { client in
            var browser = AdminBrowser()
            let answer = try await browser.signIn(client)
            #expect(answer.headers[.setCookie]?.contains("Secure") == true)
        }
    }

    @Test func signInWithoutItsCSRFTokenIsRefused() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.openSignIn(client)
            let missing = try await browser.post(client, "/admin/login", form: ["password": AdminTestSite.password])
            #expect(missing.status == .forbidden)
            #expect(missing.headers[.setCookie] == nil)
            let wrong = try await browser.post(client, "/admin/login", form: ["password": AdminTestSite.password, "_csrf": String(repeating: "0", count: 64)])
            #expect(wrong.status == .forbidden)
            #expect(try await browser.get(client, "/admin").status == .seeOther)
        }
    }

    @Test func fiveWrongPasswordsBlockTheAddressEvenForTheRightOne() async throws {
        // The admin password as the API's bearer too (admin.api_password_bearer): it shares the block.
        // The clock stands in the middle of a throttle window, so that no window ends during the test.
        let window = TimeInterval(SignInThrottle(store: MemoryRateLimitStore()).window)
        let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / window).rounded(.down) * window + window / 2)
        let site = try await AdminTestSite(environment: ["RESETPRESS_ADMIN__API_PASSWORD_BEARER": "true"], clock: { now })
        try await site.test { client in
            var browser = AdminBrowser()
            for _ in 0..<5 {
                #expect(try await browser.signIn(client, password: "wrong password!").status == .unauthorized)
            }
            let blocked = try await browser.signIn(client)
            #expect(blocked.status == .tooManyRequests)
            #expect(Int(blocked.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(blocked.text.contains("Too many wrong passwords"))
            let bearer = try await client.execute(
                uri: "/admin/api/settings", method: .get, headers: [.authorization: "Bearer \(AdminTestSite.password)"])
            #expect(bearer.status == .tooManyRequests)
        }
    }

    @Test func signingOutEndsTheSessionAndNeedsCSRF() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            #expect(try await browser.post(client, "/admin/logout", form: [:]).status == .forbidden)
            #expect(try await browser.get(client, "/admin").status == .ok)
            let out = try await browser.post(client, "/admin/logout", form: ["_csrf": browser.csrf ?? ""])
            #expect(out.status == .seeOther)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await browser.get(client, "/admin").status == .seeOther)
        }
    }

    @Test func aNewAdminPasswordEndsExistingSessions() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            try await AdminPlugin.setPassword("a brand new admin password", engine: site.engine, hasher: site.reset.passwordHasher, actor: .cli, at: Date())
            #expect(try await browser.get(client, "/admin").status == .seeOther)
        }
        await #expect(throws: AdminPasswordError.tooShort(minimum: 12)) {
            try await AdminPlugin.setPassword("short", engine: site.engine, hasher: site.reset.passwordHasher, actor: .cli, at: Date())
        }
    }
}
