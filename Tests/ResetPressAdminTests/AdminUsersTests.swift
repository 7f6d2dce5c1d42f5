import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPressEngine
import ResetPressStorage
import ResetPressTestSupport
import ResetPressUsers
import Testing

/// The admin's Users pages and API (issue 23): search, one user's timeline, and the actions, each
/// in the audit trail; a hand-over link is shown once and kept nowhere.
@Suite struct AdminUsersTests {
    private static func addUsers(_ site: AdminTestSite) async throws -> User {
        for index in 0..<3 {
            _ = try await site.storage.users.add(NewUser(login: "zed\(index)", email: "zed\(index)@example.org", passwordHash: "x"), now: Date())
        }
        return try await site.storage.users.add(NewUser(login: "ann", email: "ann@example.org", passwordHash: "x"), now: Date())
    }

    @Test func theUsersPageSearchesAndTheUserPageActsAndShowsTheLinkOnce() async throws {
        let site = try await AdminTestSite()
        let ann = try await Self.addUsers(site)
        let id = try #require(ann.id)
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let all = try await browser.get(client, "/admin/users").text
            #expect(all.contains("id=\"users\"") && all.contains("zed2@example.org") && all.contains("ann@example.org"))
            let found = try await browser.get(client, "/admin/users?q=AN").text
            #expect(found.contains("/admin/users/\(id)") && !found.contains("zed0@example.org"))
            #expect(try await browser.get(client, "/admin/users?q=nobody").text.contains("id=\"no-users\""))

            let sent = try await browser.post(client, "/admin/users/\(id)/send-reset", form: ["_csrf": browser.csrf ?? ""])
            #expect(sent.status == .seeOther)
            let page = try await browser.get(client, "/admin/users/\(id)").text
            #expect(page.contains("id=\"timeline\"") && page.contains("<td>request</td>") && page.contains("issued"), "\(page)")
            #expect(page.contains("Reset requested through the normal flow"))

            let handover = try await browser.post(client, "/admin/users/\(id)/handover", form: ["_csrf": browser.csrf ?? ""])
            #expect(handover.status == .ok)
            let text = handover.text
            let start = try #require(text.range(of: "/_resetpassword?code=")).upperBound
            let token = String(text[start...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
            #expect(token.count >= 20 && text.contains("id=\"handover-link\""))
            let again = try await browser.get(client, "/admin/users/\(id)").text
            #expect(!again.contains(token) && !again.contains("id=\"handover-link\""), "shown once")
            #expect(again.contains("a hand-over link was made"))

            let records = try await site.storage.audit.list(since: nil, limit: 20)
            #expect(records.contains { $0.action == "user.reset_sent" && $0.subject == "#\(id) ann" && $0.actor == "admin" })
            #expect(records.contains { $0.action == "user.handover_link" && !$0.detail.contains(token) })

            let missing = try await browser.post(client, "/admin/users/\(id)/bogus", form: ["_csrf": browser.csrf ?? ""])
            #expect(missing.status == .notFound)
        }
    }

    @Test func theAPIReadsWithReadAndActsOnlyWithTheUsersScope() async throws {
        let site = try await AdminTestSite()
        let ann = try await Self.addUsers(site)
        let id = try #require(ann.id)
        let reader = try await site.bearer(scopes: [.read])
        let agent = try await site.bearer(scopes: [.users])
        try await site.test { client in
            let search = try await client.execute(uri: "/admin/api/users?q=ann", method: .get, headers: reader)
            #expect(search.status == .ok && search.json["data"]?["users"]?[0]?["email"]?.stringValue == "ann@example.org")
            let refused = try await client.execute(uri: "/admin/api/users/\(id)/handover", method: .post, headers: reader)
            #expect(refused.status == .forbidden && refused.json["success"]?.boolValue == false)
            let made = try await client.execute(uri: "/admin/api/users/\(id)/handover", method: .post, headers: agent)
            #expect(made.status == .ok)
            let link = try #require(made.json["data"]?["link"]?.stringValue)
            #expect(link.contains("/_resetpassword?code="))
            let timeline = try await client.execute(uri: "/admin/api/users/\(id)", method: .get, headers: reader)
            #expect(timeline.status == .ok && timeline.json["data"]?["timeline"]?["user"]?["login"]?.stringValue == "ann")
            #expect(!timeline.text.contains(try #require(link.components(separatedBy: "code=").last)))
            let unknown = try await client.execute(uri: "/admin/api/users/999999", method: .get, headers: reader)
            #expect(unknown.status == .notFound)
        }
        let records = try await site.storage.audit.list(since: nil, limit: 20)
        #expect(records.contains { $0.action == "user.handover_link" && $0.actor == "token:test" })
    }
}
