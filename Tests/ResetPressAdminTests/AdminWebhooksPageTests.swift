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

    @Test func aRetryWakesTheWebhookSender() async throws {
        let site = try await AdminTestSite()
        let queue = site.storage.webhooks
        let sender = try #require(site.site.webhooks.sender)
        // A receiver that refuses the connection (the discard port on loopback: nothing listens).
        let ids = try await queue.enqueue(
            [QueuedWebhook(event: "password_reset", url: "http://127.0.0.1:9/in", body: "{}", deliveryID: "d-1")], now: Date())
        _ = try await queue.claimDue(limit: 10, now: Date().addingTimeInterval(1), owner: "test", leaseUntil: Date().addingTimeInterval(60))
        try await queue.markFailed(id: ids[0], error: "HTTP 500")
        // The sender looks at its queue at start and when woken: its tick is an hour.
        let running = Task { await sender.run(tick: .seconds(3600)) }
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let retried = try await browser.post(client, "/admin/webhooks/retry", form: ["id": "\(ids[0])", "_csrf": browser.csrf ?? ""])
            #expect(retried.status == .seeOther)
        }
        var tried: WebhookEntry?
        for _ in 0..<600 where tried == nil {
            tried = try await queue.list(status: nil, limit: 10).first { $0.attempts >= 1 && $0.lastError != "HTTP 500" }
            if tried == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        sender.finish()
        await running.value
        #expect(tried != nil, "the retried webhook was not tried again before the sender's hourly tick")
    }
}
