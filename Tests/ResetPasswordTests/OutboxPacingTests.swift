import Foundation
import Testing

/// `mail.queue_limit`: a request that would queue mail waits while the outbox is full, known email or not.
@Suite struct OutboxPacingTests {
    let path = TestSite.namespace + "/user/reset_password"

    /// Waits (up to 20 s) until `count` requests wait in line.
    private func untilWaiting(_ count: Int, in site: TestSite) async {
        let deadline = ContinuousClock.now + .seconds(20)
        while site.mail.backlog.waiting != count && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        #expect(site.mail.backlog.waiting == count)
    }

    @Test func aFullOutboxHoldsEveryRequestUntilTheSenderMakesRoom() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_MAIL__QUEUE_LIMIT": "2", "RESETPRESS_MAIL__QUEUE_WAIT_MS": "60000"])
        for name in ["ann", "bob", "cat"] { try await site.addUser(email: "\(name)@example.org") }
        let path = self.path
        @Sendable func post(_ email: String) async throws {
            try await site.test { client in
                let response = try await client.send(.post, path, json: ["email": email])
                #expect(response.status == .ok)
            }
        }
        try await post("ann@example.org")
        try await post("bob@example.org")
        #expect(site.mail.backlog.pending == 2)
        #expect(site.mail.backlog.waiting == 0)

        let known = Task { try await post("cat@example.org") }
        await untilWaiting(1, in: site)
        let unknown = Task { try await post("nobody@example.org") }
        await untilWaiting(2, in: site)
        #expect(try await site.storage.outbox.list(status: nil, limit: 10).count == 2, "a waiting request queued its mail")

        try await site.mail.sender.drain()
        try await known.value
        try await unknown.value
        #expect(site.mail.backlog.waiting == 0)
        #expect(try await site.storage.outbox.list(status: nil, limit: 10).count == 3)
    }

    @Test func aRequestThatWaitedItsLongestStillQueuesItsMail() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_MAIL__QUEUE_LIMIT": "1", "RESETPRESS_MAIL__QUEUE_WAIT_MS": "300"])
        try await site.addUser(email: "ann@example.org")
        site.mail.backlog.queued()  // a mail the sender never finishes
        let start = ContinuousClock.now
        try await site.test { client in
            let response = try await client.send(.post, path, json: ["email": "ann@example.org"])
            #expect(response.status == .ok)
        }
        #expect(ContinuousClock.now - start >= .milliseconds(300))
        #expect(try await site.queuedMail().count == 1)
    }

    @Test func storeOnlyNeverWaits() async throws {
        let site = try await TestSite(environment: [
            "RESETPRESS_RESET_PASSWORD__MODE": "store_only", "RESETPRESS_MAIL__QUEUE_LIMIT": "1", "RESETPRESS_MAIL__QUEUE_WAIT_MS": "60000",
        ])
        site.mail.backlog.queued(3)
        try await site.addUser(email: "ann@example.org")
        let start = ContinuousClock.now
        try await site.test { client in
            let response = try await client.send(.post, path, json: ["email": "ann@example.org"])
            #expect(response.status == .ok)
        }
        // A wait would last the whole minute; a loaded CI machine has taken 6 s for the request alone.
        #expect(ContinuousClock.now - start < .seconds(30))
    }
}

/// The password-changed notice is admitted like a request's mail (issue 21).
extension OutboxPacingTests {
    @Test func aFullOutboxHoldsAPasswordChangeUntilTheSenderMakesRoom() async throws {
        let site = try await TestSite(environment: [
            "RESETPRESS_RESET_PASSWORD__MODE": "store_only", "RESETPRESS_MAIL__QUEUE_LIMIT": "1", "RESETPRESS_MAIL__QUEUE_WAIT_MS": "60000",
        ])
        try await site.addUser(email: "ann@example.org")
        let path = self.path
        try await site.test { client in _ = try await client.send(.post, path, json: ["email": "ann@example.org"]) }
        let code = try #require(site.lastCode)
        site.mail.backlog.queued()  // the outbox is full
        let change = Task {
            try await site.test { client in
                let response = try await client.send(.put, path, json: ["email": "ann@example.org", "code": code, "new_password": "brand-new-secret"])
                #expect(response.status == .ok)
            }
        }
        await untilWaiting(1, in: site)
        #expect(try await site.storage.outbox.list(status: nil, limit: 10).isEmpty, "a waiting change queued its notice")
        try await site.mail.sender.drain()  // finds nothing due: the outbox has room again
        try await change.value
        #expect(try await site.queuedMail().map(\.message.subject).count == 1)
        #expect(try await site.passwordMatches("ann@example.org", "brand-new-secret"))
    }
}
