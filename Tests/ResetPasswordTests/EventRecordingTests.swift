import Foundation
import ResetPressStorage
import Testing

/// The flows record what they did in the events table (issue 15, item 1): one event per outcome,
/// after the state it describes, with the client IP and never an email or a secret.
@Suite struct EventRecordingTests {
    let path = TestSite.namespace + "/user/reset_password"

    /// Every event in the table, by kind, over a wide window around the site's clock.
    func counts(_ site: TestSite) async throws -> [ResetEventKind: Int] {
        try await site.storage.events.counts(from: site.clock.now.addingTimeInterval(-86_400), to: site.clock.now.addingTimeInterval(86_400))
    }

    @Test func aRequestAChangeAndTheirMailAreRecorded() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "default_email"])
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in
            _ = try await client.send(.post, path, json: ["email": "ann@example.org"])
            _ = try await client.send(.post, path, json: ["email": "nobody@example.org"])
        }
        site.clock.advance(2)
        try await site.mail.sender.drain()
        let code = try #require(site.lastCode)
        try await site.test { client in
            _ = try await client.send(.put, path, json: ["email": "ann@example.org", "code": "wrong-one", "new_password": "brand-new-secret"])
            _ = try await client.send(.put, path, json: ["email": "ann@example.org", "code": code, "new_password": "brand-new-secret"])
        }
        #expect(try await counts(site) == [.request: 2, .codeIssued: 1, .unknownEmail: 1, .mailSent: 1, .wrongCode: 1, .completed: 1])
        let delivery = try await site.storage.events.deliveryTimes(from: site.clock.now.addingTimeInterval(-60), to: site.clock.now.addingTimeInterval(60))
        #expect(delivery == [2])
        // The delivery names no user (her outbox entry is her mail history); her own events do.
        let ann = try #require(try await site.storage.users.user(byEmail: "ann@example.org")?.id)
        let hers = try await site.storage.events.events(userID: ann, limit: 10).map(\.kind)
        #expect(hers.sorted { $0.rawValue < $1.rawValue } == [.codeIssued, .completed, .request, .wrongCode])
    }

    @Test func throttledExpiredAndBurnedAreRecordedByReason() async throws {
        let site = try await TestSite(environment: [
            "RESETPRESS_RESET_PASSWORD__MODE": "store_only", "RESETPRESS_RESET_PASSWORD__MAX_ATTEMPTS": "1",
            "RESETPRESS_RESET_PASSWORD__CODE_TTL": "60",
        ])
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in
            _ = try await client.send(.post, path, json: ["email": "ann@example.org"])
            _ = try await client.send(.post, path, json: ["email": "ann@example.org"])  // within throttle_seconds
            _ = try await client.send(.put, path, json: ["email": "ann@example.org", "code": "bad", "new_password": "brand-new-secret"])
            _ = try await client.send(.put, path, json: ["email": "ann@example.org", "code": "bad", "new_password": "brand-new-secret"])
        }
        site.clock.advance(120)
        try await site.test { client in
            _ = try await client.send(.post, path, json: ["email": "ann@example.org"])
        }
        site.clock.advance(120)
        try await site.test { client in
            _ = try await client.send(.put, path, json: ["email": "ann@example.org", "code": "bad", "new_password": "brand-new-secret"])
        }
        let counts = try await counts(site)
        #expect(counts[.throttled] == 1)
        #expect(counts[.wrongCode] == 1)  // the one guess allowed
        #expect(counts[.burned] == 1)  // the next, once the guesses are used up
        #expect(counts[.expired] == 1)
        #expect(counts[.codeIssued] == 2)
    }

    @Test func theIPLimitIsRecordedWithTheClientIP() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__IP_LIMIT_PER_MINUTE": "1"])
        try await site.test { client in
            _ = try await client.send(.post, path, json: ["email": "nobody@example.org"])
            _ = try await client.send(.post, path, json: ["email": "nobody@example.org"])
        }
        let now = site.clock.now
        let top = try await site.storage.events.topRefusedIPs(from: now.addingTimeInterval(-60), to: now.addingTimeInterval(60), limit: 5)
        #expect(top.count == 1)
        #expect(top.first?.count == 1)
        #expect(try await counts(site)[.rateLimited] == 1)
    }
}
