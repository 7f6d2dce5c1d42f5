import Foundation
import HummingbirdTesting
import ResetPassword
import ResetPressStorage
import ResetPressUsers
import Testing

/// The Bulk reset page (issue 15, item 2): the form's POST only reviews (nothing queued), the confirm
/// POST with the one-time token queues a mail per user through the site's worker, and a confirm
/// without a reviewed token (missing, forged, used, another session's) is refused.
@Suite struct AdminBulkResetTests {
    static let emails = ["ann@example.org", "bob@example.org", "cy@example.org"]

    /// A site with three users whose password is `old-password`, and its bulk worker running.
    static func site() async throws -> (AdminTestSite, Task<Void, any Error>) {
        let site = try await AdminTestSite()
        let hash = try await site.site.hasher.hash("old-password", cost: 4)
        for (index, email) in emails.enumerated() {
            _ = try await site.storage.users.add(NewUser(login: "user\(index)", email: email, passwordHash: hash), now: Date())
        }
        let worker = try #require(site.admin.bulkResets)
        return (site, Task { try await worker.run() })
    }

    static func hiddenValue(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func queuedCount(_ site: AdminTestSite) async throws -> Int {
        try await site.storage.outbox.counts().values.reduce(0, +)
    }

    @Test func reviewQueuesNothingAndTheConfirmQueuesOneMailPerUser() async throws {
        let (site, worker) = try await Self.site()
        defer { worker.cancel() }
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let form = try await browser.get(client, "/admin/bulk-reset")
            #expect(form.status == .ok)
            #expect(form.text.contains("id=\"bulk-reset-form\"") && form.text.contains("href=\"/admin/bulk-reset\" aria-current=\"page\""))

            let review = try await browser.post(
                client, "/admin/bulk-reset", form: ["selection": "all", "expire_passwords": "1", "_csrf": browser.csrf ?? ""])
            #expect(review.status == .ok)
            #expect(review.text.contains("<span id=\"bulk-reset-count\">3</span> users"))
            #expect(review.text.contains("stop working at once"))
            #expect(review.text.contains("Send 3 reset mails and expire their passwords"))
            let token = try #require(Self.hiddenValue("confirmation", in: review.text))
            let runID = try #require(review.text.range(of: "id=\"bulk-reset-run-id\">").map { review.text[$0.upperBound...].prefix { $0 != "<" } })
            #expect(try await Self.queuedCount(site) == 0, "the review queued mail")
            #expect(try await site.storage.bulkResets.count(runID: String(runID)) == 0)
            for email in Self.emails {
                #expect(try await site.storage.users.user(byEmail: email)?.passwordHash != PasswordHasher.unusableHash)
            }

            let confirmed = try await browser.post(client, "/admin/bulk-reset/confirm", form: ["confirmation": token, "_csrf": browser.csrf ?? ""])
            #expect(confirmed.status == .seeOther)
            #expect(confirmed.headers[.location] == "/admin/bulk-reset/runs/\(runID)")
            let status = try await Self.waitForEnd(site, runID: String(runID))
            #expect(status?.state == .finished)
            #expect(status?.progress.tally.queued == 3)

            let page = try await browser.get(client, "/admin/bulk-reset/runs/\(runID)").text
            #expect(page.contains("<td id=\"run-state\">finished</td>"))
            #expect(page.contains("<td id=\"run-queued\">3</td>"))
            #expect(page.contains("<span id=\"run-sent\">3</span>"))

            let again = try await browser.post(client, "/admin/bulk-reset/confirm", form: ["confirmation": token, "_csrf": browser.csrf ?? ""])
            #expect(again.status == .badRequest)
            #expect(again.text.contains("id=\"bulk-reset-refused\""))
        }
        let mail = try await site.storage.outbox.list(status: nil, limit: 10)
        #expect(mail.count == 3)
        #expect(Set(mail.flatMap(\.recipients).map { $0.lowercased() }).count == 3)
        for email in Self.emails {
            #expect(mail.contains { $0.recipients.contains { $0.lowercased().contains(email) } })
            #expect(try await site.storage.users.user(byEmail: email)?.passwordHash == PasswordHasher.unusableHash)
        }
    }

    @Test func aConfirmWithoutItsReviewIsRefused() async throws {
        let (site, worker) = try await Self.site()
        defer { worker.cancel() }
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let missing = try await browser.post(client, "/admin/bulk-reset/confirm", form: ["_csrf": browser.csrf ?? ""])
            #expect(missing.status == .badRequest && missing.text.contains("id=\"bulk-reset-refused\""))
            let forged = try await browser.post(
                client, "/admin/bulk-reset/confirm", form: ["confirmation": "forged0123456789forged0123456789", "_csrf": browser.csrf ?? ""])
            #expect(forged.status == .badRequest && forged.text.contains("id=\"bulk-reset-refused\""))

            let review = try await browser.post(client, "/admin/bulk-reset", form: ["selection": "all", "_csrf": browser.csrf ?? ""])
            let token = try #require(Self.hiddenValue("confirmation", in: review.text))
            #expect(review.text.contains("keep working"))
            let noCSRF = try await browser.post(client, "/admin/bulk-reset/confirm", form: ["confirmation": token])
            #expect(noCSRF.status == .forbidden)

            var other = AdminBrowser()
            try await other.signIn(client)
            let otherSession = try await other.post(client, "/admin/bulk-reset/confirm", form: ["confirmation": token, "_csrf": other.csrf ?? ""])
            #expect(otherSession.status == .badRequest, "another session's review was confirmed")
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await Self.queuedCount(site) == 0)
        #expect(site.admin.bulkResets?.recent.isEmpty == true)
    }

    @Test func aListOrADateChoosesTheUsersAndMistakesKeepTheForm() async throws {
        let (site, worker) = try await Self.site()
        defer { worker.cancel() }
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let list = try await browser.post(client, "/admin/bulk-reset", form: [
                "selection": "emails", "emails": "# breached\nBOB@example.org\nnobody@example.org, bob@example.org", "_csrf": browser.csrf ?? "",
            ])
            #expect(list.text.contains("<span id=\"bulk-reset-count\">1</span> user</strong> matches"))
            #expect(list.text.contains("1 listed email matches no user"))
            let token = try #require(Self.hiddenValue("confirmation", in: list.text))
            #expect(try await browser.post(client, "/admin/bulk-reset/confirm", form: ["confirmation": token, "_csrf": browser.csrf ?? ""]).status == .seeOther)

            let old = try await browser.post(client, "/admin/bulk-reset", form: ["selection": "imported_before", "imported_before": "2001-01-01", "_csrf": browser.csrf ?? ""])
            #expect(old.text.contains("<span id=\"bulk-reset-count\">0</span> users") && old.text.contains("id=\"bulk-reset-nothing\""))
            #expect(!old.text.contains("name=\"confirmation\""))

            let badDate = try await browser.post(client, "/admin/bulk-reset", form: [
                "selection": "imported_before", "imported_before": "yesterday\"><script>", "_csrf": browser.csrf ?? "",
            ])
            #expect(badDate.status == .badRequest)
            #expect(badDate.text.contains("Give the date as YYYY-MM-DD"))
            #expect(badDate.text.contains("value=\"yesterday&quot;&gt;&lt;script&gt;\"") && !badDate.text.contains("<script>"))
            let noChoice = try await browser.post(client, "/admin/bulk-reset", form: ["emails": "</textarea><b>x</b>", "_csrf": browser.csrf ?? ""])
            #expect(noChoice.status == .badRequest && noChoice.text.contains("Choose who gets the mail"))
            #expect(noChoice.text.contains("&lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt;</textarea>"))
            let empty = try await browser.post(client, "/admin/bulk-reset", form: ["selection": "emails", "emails": "# only a comment\n", "_csrf": browser.csrf ?? ""])
            #expect(empty.status == .badRequest && empty.text.contains("Paste at least one email"))
        }
        var mail: [OutboxEntry] = []
        for _ in 0..<50 where mail.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            mail = try await site.storage.outbox.list(status: nil, limit: 10)
        }
        #expect(mail.count == 1)
        #expect(mail.first?.recipients.first?.lowercased().contains("bob@example.org") == true)
    }

    /// The run's status once it finished, stopped or failed (nil after 10 s).
    static func waitForEnd(_ site: AdminTestSite, runID: String) async throws -> BulkResetStatus? {
        for _ in 0..<100 {
            if let status = site.admin.bulkResets?.status(runID: runID), status.endedAt != nil { return status }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}
