import Foundation
import Testing

/// `mail.queue_limit`: a request that would queue mail waits while the outbox is full, known email or not.
@Suite struct OutboxPacingTests {
    let path = TestSite.namespace + "/user/reset_password"

    @Test func aFullOutboxHoldsEveryRequestUntilTheSenderMakesRoom() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_MAIL__QUEUE_LIMIT": "2", "RESETPRESS_MAIL__QUEUE_WAIT_MS": "1500"])
        for name in ["ann", "bob", "cat", "dan"] { try await site.addUser(email: "\(name)@example.org") }
        let path = self.path
        func post(_ email: String) async throws -> Duration {
            let start = ContinuousClock.now
            try await site.test { client in
                let response = try await client.send(.post, path, json: ["email": email])
                #expect(response.status == .ok)
            }
            return ContinuousClock.now - start
        }
        #expect(try await post("ann@example.org") < .milliseconds(1500))
        #expect(try await post("bob@example.org") < .milliseconds(1500))
        #expect(site.mail.backlog.pending == 2)
        #expect(try await post("cat@example.org") >= .milliseconds(1500), "a full outbox let a known email's request through")
        #expect(try await post("nobody@example.org") >= .milliseconds(1500), "a full outbox let an unknown email's request through")
        #expect(try await site.queuedMail().count == 3, "a request that waited its longest still queues its mail")

        try await site.mail.sender.drain()
        #expect(site.mail.backlog.pending == 0)
        #expect(try await post("dan@example.org") < .milliseconds(1500))
        #expect(try await site.storage.outbox.list(status: nil, limit: 10).count == 4)
    }

    @Test func storeOnlyNeverWaits() async throws {
        let site = try await TestSite(environment: [
            "RESETPRESS_RESET_PASSWORD__MODE": "store_only", "RESETPRESS_MAIL__QUEUE_LIMIT": "1", "RESETPRESS_MAIL__QUEUE_WAIT_MS": "5000",
        ])
        site.mail.backlog.queued(3)
        try await site.addUser(email: "ann@example.org")
        let start = ContinuousClock.now
        try await site.test { client in
            let response = try await client.send(.post, path, json: ["email": "ann@example.org"])
            #expect(response.status == .ok)
        }
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
