import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import ResetPressAdmin
import ResetPressStorage
import ResetPressUsers
import Testing

/// The dashboard (issue 15, item 1): the figures of `ResetStats` after real requests, with SVG charts.
@Suite struct AdminDashboardTests {
    static let resetPath = "/simple-jwt-login/v1/user/reset_password"

    /// POSTs a reset request for `email` as JSON.
    func requestReset(_ client: any TestClientProtocol, _ email: String) async throws {
        _ = try await client.execute(
            uri: Self.resetPath, method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: "{\"email\":\"\(email)\"}"))
    }

    @Test func theDashboardShowsTheFiguresOfRealRequestsWithCharts() async throws {
        let site = try await AdminTestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "default_email"])
        let hash = try await site.site.hasher.hash("old-password-1", cost: 4)
        _ = try await site.storage.users.add(
            NewUser(login: "ann", email: "ann@example.org", displayName: "Ann Lee", nickname: "annie", firstName: "Ann", lastName: "Lee",
                    passwordHash: hash),
            now: Date())
        try await site.test { client in
            try await requestReset(client, "ann@example.org")
            try await requestReset(client, "ann@example.org")  // within throttle_seconds
            try await requestReset(client, "nobody@example.org")

            var browser = AdminBrowser()
            let signIn = try await browser.signIn(client)
            #expect(signIn.headers[.location] == "/admin/dashboard")
            let page = try await browser.get(client, "/admin/dashboard")
            #expect(page.status == .ok)
            let html = page.text
            let expected: [String: Int] = ["request": 3, "code_issued": 1, "throttled": 1, "unknown_email": 1, "completed": 0]
            for window in ["24h", "30d"] {
                for (kind, count) in expected {
                    #expect(html.contains("id=\"count-\(kind)-\(window)\">\(count)<"), "\(kind) \(window)")
                }
                #expect(html.contains("id=\"completion-rate-\(window)\">0.0 %<"))
                #expect(html.contains("id=\"queue-queued-\(window)\">1<"))
                #expect(html.contains("id=\"chart-outcomes-\(window)\""))
                #expect(html.contains("id=\"chart-timeline-\(window)\""))
                // The throttled request came from the router test's peer, 127.0.0.1.
                #expect(html.contains("id=\"refused-ips-\(window)\"><thead>"))
            }
            #expect(html.contains("<td class=\"refused-ip\">127.0.0.1</td><td class=\"refused-count\">1</td>"))
            #expect(html.components(separatedBy: "<svg").count - 1 == 4)
            #expect(html.contains("role=\"img\""))
            #expect(html.contains("<title id=\"chart-outcomes-24h-title\">Outcomes, 24h</title>"))
            #expect(!html.contains("style="))
            #expect(!html.contains("<script>"))
            let nav = try #require(html.range(of: "<nav class=\"menu\">"))
            #expect(html[nav.upperBound...].hasPrefix("<a href=\"/admin/dashboard\" aria-current=\"page\""))
        }
    }

    @Test func theDashboardNeedsASignedInSession() async throws {
        let site = try await AdminTestSite()
        try await site.test { client in
            let answer = try await AdminBrowser().get(client, "/admin/dashboard")
            #expect(answer.status == .seeOther)
            #expect(answer.headers[.location] == "/admin/login")
        }
    }

    @Test func everyValueOnTheDashboardIsEscaped() throws {
        let json = """
            {"from": 0, "to": 86400, "counts": {"request": 2}, "queue": {"queued": 1}, "completion_rate": 0.5,
             "top_refused_ips": [{"ip": "<script>alert(1)</script>", "count": 2}],
             "timeline": [{"start": 0, "requests": 2, "completed": 1, "refused": 2}]}
            """
        let stats = try JSONDecoder().decode(ResetStats.self, from: Data(json.utf8))
        let html = DashboardSection(id: "x\"><b>", title: "<i>window</i>", stats: stats).html
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("<i>window</i>"))
        #expect(!html.contains("x\"><b>"))
        #expect(html.contains("id=\"completion-rate-x&quot;&gt;&lt;b&gt;\">50.0 %<"))
    }
}
