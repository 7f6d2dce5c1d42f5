import Foundation
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// Events that describe a state change are written in the change's own transaction, on every backend:
/// both are stored, or neither is.
@Suite struct EventsWithStateConformanceTests {
    private func code(user: Int64, email: String, link: UInt8) -> NewResetCode {
        NewResetCode(
            userID: user, email: email, codeHash: Data(repeating: link &+ 100, count: 32), linkHash: Data(repeating: link, count: 32),
            createdAt: testTime(), expiresAt: testTime(900), requestIP: "192.0.2.1", tokensByHash: true)
    }

    /// Every event kind stored in the first hour after `testTime()`.
    private func stored(_ stores: Stores) async throws -> [ResetEventKind: Int] {
        try await stores.events.counts(from: testTime(-1), to: testTime(3600))
    }

    @Test(arguments: Backend.allCases)
    func anIssueWritesItsEffectsAndAFailingOneWritesNone(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let issued = [ResetEvent(.request, at: testTime()), ResetEvent(.codeIssued, at: testTime())]
            let report = WebhookQueueConformanceTests.webhook()
            let effects = ResetEffects(mail: try testMail(), events: issued, webhooks: [report])
            _ = try await stores.resetCodes.issue(code(user: 1, email: "ann@example.com", link: 1), effects: effects)
            #expect(try await stored(stores) == [.request: 1, .codeIssued: 1])
            let queued = try await stores.webhooks.list(status: nil, limit: 10)
            #expect(queued.map(\.payload) == [report] && queued.first?.createdAt == testTime())
            #expect(try await stores.outbox.counts()[.queued] == 1)

            // Bob's link hash equals Ann's: the issue fails as a whole, its mail, events and webhooks with it.
            let again = ResetEffects(mail: try testMail(), events: issued, webhooks: [WebhookQueueConformanceTests.webhook()])
            await #expect(throws: StorageError.duplicate("A reset code with this link token")) {
                _ = try await stores.resetCodes.issue(code(user: 2, email: "bob@example.com", link: 1), effects: again)
            }
            #expect(try await stored(stores) == [.request: 1, .codeIssued: 1])
            #expect(try await stores.webhooks.counts()[.queued] == 1)
            #expect(try await stores.outbox.counts()[.queued] == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func aChangeAndACancelQueueTheirWebhooksOnlyWhenTheyHappen(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let first = try await codes.issue(code(user: 1, email: "ann@example.com", link: 1), mail: nil)
            let changed = ResetEffects(webhooks: [WebhookQueueConformanceTests.webhook("password_reset")])
            #expect(try await codes.consume(id: first, userID: 1, passwordHash: nil, effects: changed, now: testTime(60)))
            // The code is gone: a second change, and a cancel of it, write nothing.
            #expect(try await codes.consume(id: first, userID: 1, passwordHash: nil, effects: changed, now: testTime(60)) == false)
            let cancelled = ResetEffects(webhooks: [WebhookQueueConformanceTests.webhook("reset_password_cancelled")])
            #expect(try await codes.cancel(id: first, userID: 1, blockUntil: testTime(3600), effects: cancelled, now: testTime(60)) == false)
            let second = try await codes.issue(code(user: 1, email: "ann@example.com", link: 2), mail: nil)
            #expect(try await codes.cancel(id: second, userID: 1, blockUntil: testTime(3600), effects: cancelled, now: testTime(90)))
            let queued = try await stores.webhooks.list(status: nil, limit: 10)
            #expect(queued.map(\.event) == ["reset_password_cancelled", "password_reset"])
            #expect(queued.map(\.createdAt) == [testTime(90), testTime(60)])
        }
    }

    @Test(arguments: Backend.allCases)
    func aDeleteRecordsItsEventsWhetherOrNotTheCodeWasStillThere(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let id = try await codes.issue(code(user: 1, email: "ann@example.com", link: 1))
            let expired = ResetEffects(events: [ResetEvent(.expired, at: testTime(60))])
            #expect(try await codes.apply(ResetChange(.delete(id: id, userID: 1), effects: expired, now: testTime(60))) == .applied)
            #expect(try await codes.current(email: "ann@example.com") == nil)
            // A second try of the same expired code finds it gone, and still says what happened.
            #expect(try await codes.apply(ResetChange(.delete(id: id, userID: 1), effects: expired, now: testTime(61))) == .applied)
            #expect(try await stored(stores) == [.expired: 2])
            // A spend of the gone code says so and writes nothing, its events neither.
            let spend = ResetChange(.spend(id: id, userID: 1, passwordHash: nil), effects: expired, now: testTime(62))
            #expect(try await codes.apply(spend) == .codeGone)
            #expect(try await stored(stores) == [.expired: 2])
        }
    }

    @Test(arguments: Backend.allCases)
    func aClaimRecordsWhatItsOutcomeAsksFor(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let id = try await codes.issue(code(user: 1, email: "ann@example.com", link: 1), mail: nil)
            let outcome: @Sendable (ResetCodeRecord?) -> [ResetEvent] = { claimed in
                [ResetEvent(claimed == nil ? .burned : .wrongCode, at: testTime())]
            }
            #expect(try await codes.claimAttempt(id: id, userID: 1, maxAttempts: 1, events: outcome)?.attempts == 1)
            #expect(try await codes.claimAttempt(id: id, userID: 1, maxAttempts: 1, events: outcome) == nil)
            #expect(try await stored(stores) == [.wrongCode: 1, .burned: 1])
            #expect(try await codes.count() == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func aBatchIsMarkedSentWithItsEventsOrNotAtAll(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            var ids: [Int64] = []
            for index in 0..<3 { ids.append(try await outbox.enqueue(try testMail(to: "user\(index)@example.com"), now: testTime())) }
            _ = try await outbox.claimDue(limit: 10, now: testTime(), owner: "node-a", leaseUntil: testTime(60))
            let sent = ids.map { _ in ResetEvent(.mailSent, at: testTime(2), deliverySeconds: 2) }

            await #expect(throws: StorageError.notFound("Outbox entry 999")) {
                try await outbox.markSent((ids + [999]).map { ($0, "250 ok") }, at: testTime(2), events: sent)
            }
            #expect(try await outbox.counts()[.sending] == 3)
            #expect(try await stored(stores).isEmpty)
            #expect(try await outbox.list(status: nil, limit: 10).allSatisfy { $0.deliveryDetail == nil })

            try await outbox.markSent(ids.map { ($0, "250 ok \($0)") }, at: testTime(2), events: sent)
            #expect(try await outbox.counts()[.sent] == 3)
            #expect(try await outbox.list(status: nil, limit: 10).map(\.deliveryDetail) == ids.reversed().map { "250 ok \($0)" })
            #expect(try await stored(stores) == [.mailSent: 3])
            #expect(try await stores.events.deliveryTimes(from: testTime(), to: testTime(10)) == [2, 2, 2])
        }
    }
}
