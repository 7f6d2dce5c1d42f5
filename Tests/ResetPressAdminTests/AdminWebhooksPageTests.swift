import Foundation
import HummingbirdTesting
import ResetPressStorage
import Testing

/// The Webhooks page: the queue's counts and deliveries, and retry of a failed one.
@Suite struct AdminWebhooksPageTests {
    @Test func failedWebhooksAreListedEscapedAndQueuedAgain() async throws {
        let site = try await AdminTestSite()
        let queue = site.storage.webhooks
        let ids = try await queue.enqueue(
            [QueuedWebhook(event: "password_reset", url: "https://hooks.example.org/in?a=1&b=<2>", body: "{}", deliveryID: "d-1"),
             QueuedWebhook(event: "password_reset", url: "https://other.example.org/in", body: "{}", deliveryID: "d-2")],
            now: Date())
        _ = try await queue.claimDue(limit: 10, now: Date().addingTimeInterval(1), owner: "test", leaseUntil: Date().addingTimeInterval(60))
        try await queue.markFailed(id: ids[0], error: "HTTP 500 <oops>")
        try await queue.markSent(id: ids[1], at: Date())
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let page = try await browser.get(client, "/admin/webhooks").text
            #expect(page.contains("failed (1)") && page.contains("sent (1)"))
            #expect(page.contains("HTTP 500 &lt;oops&gt;"))
            #expect(page.contains("https://hooks.example.org/in?a=1&amp;b=&lt;2&gt;"))
            #expect(page.contains("href=\"/admin/webhooks\""))
            let failedOnly = try await browser.get(client, "/admin/webhooks?status=failed").text
            #expect(!failedOnly.contains("other.example.org"))
            let retried = try await browser.post(client, "/admin/webhooks/retry", form: ["id": "\(ids[0])", "_csrf": browser.csrf ?? ""])
            #expect(retried.status == .seeOther)
            #expect(try await browser.get(client, "/admin/webhooks").text.contains("1 webhook queued again."))
        }
        #expect(try await queue.counts()[.queued] == 1)
    }
}
