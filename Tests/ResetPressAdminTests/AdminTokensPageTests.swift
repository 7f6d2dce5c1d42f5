import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The API tokens page (issue 22): a token added there is shown once and works on the API; revoked there, it is refused.
@Suite struct AdminTokensPageTests {
    @Test func aTokenAddedOnThePageWorksUntilRevokedThere() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let added = try await browser.post(
                client, "/admin/tokens", form: ["name": "deploy <script>", "scope_read": "on", "_csrf": browser.csrf ?? ""])
            // Shown in the answer itself: never kept in the session's row to be shown after a redirect.
            #expect(added.status == .ok)
            let page = added.text
            let start = try #require(page.range(of: "rpt_")).lowerBound
            let token = String(page[start...].prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
            #expect(token.count == 4 + 43)
            #expect(page.contains("deploy &lt;script&gt;") && page.contains("<td>read</td>"))
            #expect(try await browser.get(client, "/admin/tokens").text.contains(token) == false, "shown once")

            let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
            #expect(try await client.execute(uri: "/admin/api/settings", method: .get, headers: bearer).status == .ok)
            let id = try #require(try await site.admin.tokens?.list().first?.id)
            let revoked = try await browser.post(client, "/admin/tokens/\(id)/revoke", form: ["_csrf": browser.csrf ?? ""])
            #expect(revoked.status == .seeOther)
            #expect(try await browser.get(client, "/admin/tokens").text.contains("<td>revoked</td>"))
            #expect(try await client.execute(uri: "/admin/api/settings", method: .get, headers: bearer).status == .unauthorized)
        }
    }

    @Test func aTokenNeedsANameAndAScope() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            _ = try await browser.post(client, "/admin/tokens", form: ["name": "no scope", "_csrf": browser.csrf ?? ""])
            #expect(try await browser.get(client, "/admin/tokens").text.contains("at least one scope"))
        }
        #expect(try await site.admin.tokens?.list().isEmpty == true)
    }
}
