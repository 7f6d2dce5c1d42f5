import Foundation
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// The `WebhookQueue` contract, checked against every backend.
@Suite struct WebhookQueueConformanceTests {
    static func webhook(_ event: String = "password_reset", url: String = "https://hooks.example.org/in", body: String = #"{"event":"x"}"#)
        -> QueuedWebhook
    {
        QueuedWebhook(event: event, url: url, body: body, deliveryID: UUID().uuidString.lowercased())
    }

    @Test(arguments: Backend.allCases)
    func enqueuedDeliveriesRoundTripInOrderAndAreDueAtOnce(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let queue = stores.webhooks
            let first = Self.webhook(body: #"{"name":"Zoë ✓"}"#)
            let second = Self.webhook(url: "http://127.0.0.1:9/other")
            let ids = try await queue.enqueue([first, second], now: testTime())
            #expect(ids.count == 2 && ids[0] < ids[1])
            let entries = try await queue.list(status: nil, limit: 10)
            #expect(entries.map(\.id) == ids.reversed())
            #expect(entries.last == WebhookEntry(
                id: ids[0], payload: first, status: .queued, attempts: 0, lastError: nil, createdAt: testTime(), nextAttemptAt: testTime(), sentAt: nil))
            #expect(try await queue.counts() == [.queued: 2, .sending: 0, .sent: 0, .failed: 0])
            #expect(try await queue.enqueue([], now: testTime()) == [])
        }
    }

    @Test(arguments: Backend.allCases)
    func aRepeatedDeliveryIDQueuesNothing(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let queue = stores.webhooks
            let taken = Self.webhook()
            _ = try await queue.enqueue([taken], now: testTime())
            await #expect(throws: StorageError.duplicate("A webhook delivery id")) {
                _ = try await queue.enqueue([Self.webhook(), taken], now: testTime())
            }
            #expect(try await queue.counts()[.queued] == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func claimDueTakesDueEntriesOldestFirstUpToTheLimitWithALease(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let queue = stores.webhooks
            let early = try await queue.enqueue([Self.webhook(), Self.webhook(), Self.webhook()], now: testTime())
            _ = try await queue.enqueue([Self.webhook()], now: testTime(100))

            let claimed = try await queue.claimDue(limit: 2, now: testTime(50), owner: "node-a", leaseUntil: testTime(110))
            #expect(claimed.map(\.id) == Array(early.prefix(2)))
            #expect(claimed.allSatisfy { $0.status == .sending && $0.attempts == 1 && $0.claimedBy == "node-a" && $0.leaseUntil == testTime(110) })
            #expect(try await queue.claimDue(limit: 10, now: testTime(50), owner: "node-b", leaseUntil: testTime(110)).map(\.id) == [early[2]])
            #expect(try await queue.claimDue(limit: 10, now: testTime(50), owner: "node-b", leaseUntil: testTime(110)).isEmpty)
            #expect(try await queue.counts() == [.queued: 1, .sending: 3, .sent: 0, .failed: 0])
        }
    }

    @Test(arguments: Backend.allCases)
    func markSentRetryAndFailedMoveClaimedEntriesAndEndTheClaim(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let queue = stores.webhooks
            let ids = try await queue.enqueue([Self.webhook(), Self.webhook(), Self.webhook()], now: testTime())
            _ = try await queue.claimDue(limit: 10, now: testTime(), owner: "node-a", leaseUntil: testTime(60))

            try await queue.markSent(id: ids[0], at: testTime(5))
            try await queue.markRetry(id: ids[1], error: "HTTP 503 Service Unavailable", retryAt: testTime(30))
            try await queue.markFailed(id: ids[2], error: "HTTP 500 Internal Server Error")

            let byID = Dictionary(uniqueKeysWithValues: try await queue.list(status: nil, limit: 10).map { ($0.id, $0) })
            #expect(byID[ids[0]]?.status == .sent && byID[ids[0]]?.sentAt == testTime(5) && byID[ids[0]]?.body == nil)
            #expect(byID[ids[1]]?.status == .queued && byID[ids[1]]?.nextAttemptAt == testTime(30))
            #expect(byID[ids[1]]?.lastError == "HTTP 503 Service Unavailable" && byID[ids[1]]?.body != nil)
            #expect(byID[ids[2]]?.status == .failed && byID[ids[2]]?.lastError == "HTTP 500 Internal Server Error" && byID[ids[2]]?.body != nil)
            #expect(byID.values.allSatisfy { $0.claimedBy == nil && $0.leaseUntil == nil })
            #expect(try await queue.claimDue(limit: 10, now: testTime(29), owner: "node-a", leaseUntil: testTime(90)).isEmpty)
            #expect(try await queue.claimDue(limit: 10, now: testTime(30), owner: "node-a", leaseUntil: testTime(90)).map(\.attempts) == [2])
            for mark in [
                { try await queue.markSent(id: 999, at: testTime()) }, { try await queue.markRetry(id: 999, error: "x", retryAt: testTime()) },
                { try await queue.markFailed(id: 999, error: "x") },
            ] as [@Sendable () async throws -> Void] {
                await #expect(throws: StorageError.notFound("Webhook delivery 999")) { try await mark() }
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func aSentDeliveryKeepsNoDetailAsTheTableHasNoColumnForIt(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let queue = stores.webhooks
            #expect(QueuedWebhook.table.deliveryDetailColumn == nil)
            let ids = try await queue.enqueue([Self.webhook(), Self.webhook()], now: testTime())
            _ = try await queue.claimDue(limit: 10, now: testTime(), owner: "node-a", leaseUntil: testTime(60))
            try await queue.markSent([(ids[0], "HTTP 200 OK"), (ids[1], nil)], at: testTime(5), events: [])
            let sent = try await queue.list(status: .sent, limit: 10)
            #expect(sent.count == 2 && sent.allSatisfy { $0.deliveryDetail == nil })
        }
    }

    @Test(arguments: Backend.allCases)
    func retryQueuesFailedEntriesAgainFromZeroTries(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let queue = stores.webhooks
            let ids = try await queue.enqueue([Self.webhook(), Self.webhook(), Self.webhook(), Self.webhook()], now: testTime())
            _ = try await queue.claimDue(limit: 10, now: testTime(), owner: "node-a", leaseUntil: testTime(60))
            for id in ids.prefix(3) { try await queue.markFailed(id: id, error: "down") }
            try await queue.markSent(id: ids[3], at: testTime())

            #expect(try await queue.retry(ids: [ids[0], ids[3], 999], now: testTime(10)) == 1)
            #expect(try await queue.retry(ids: [], now: testTime(10)) == 0)
            #expect(try await queue.counts() == [.queued: 1, .sending: 0, .sent: 1, .failed: 2])
            #expect(try await queue.retry(ids: nil, now: testTime(20)) == 2)
            let again = try await queue.claimDue(limit: 10, now: testTime(20), owner: "node-a", leaseUntil: testTime(80))
            #expect(again.map(\.id) == Array(ids.prefix(3)) && again.allSatisfy { $0.attempts == 1 })
        }
    }

    @Test(arguments: Backend.allCases)
    func leasesAreRenewedPerOwnerAndOnlyLapsedOrOwnClaimsAreRequeued(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let queue = stores.webhooks
            let a = try await queue.enqueue([Self.webhook(), Self.webhook()], now: testTime())
            _ = try await queue.claimDue(limit: 2, now: testTime(), owner: "node-a", leaseUntil: testTime(60))
            let b = try await queue.enqueue([Self.webhook()], now: testTime())
            _ = try await queue.claimDue(limit: 1, now: testTime(), owner: "node-b", leaseUntil: testTime(60))

            #expect(try await queue.renewLeases(owner: "node-a", until: testTime(120)) == 2)
            #expect(try await queue.requeueAbandoned(now: testTime(90), owner: nil) == 1)  // only node-b's lapsed
            let queued = try await queue.list(status: .queued, limit: 10)
            #expect(queued.map(\.id) == b && queued[0].nextAttemptAt == testTime(90) && queued[0].claimedBy == nil)
            #expect(try await queue.requeueAbandoned(now: testTime(91), owner: "node-a") == 2)  // node-a restarted
            #expect(try await queue.list(status: .queued, limit: 10).map(\.id).sorted() == (a + b).sorted())
        }
    }

    @Test(arguments: Backend.allCases)
    func deleteFinishedForgetsOldSentAndFailedOnly(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let queue = stores.webhooks
            let old = try await queue.enqueue([Self.webhook(), Self.webhook(), Self.webhook()], now: testTime())
            let recent = try await queue.enqueue([Self.webhook()], now: testTime(1000))
            _ = try await queue.claimDue(limit: 2, now: testTime(1000), owner: "node-a", leaseUntil: testTime(1060))
            try await queue.markSent(id: old[0], at: testTime(1000))
            try await queue.markFailed(id: old[1], error: "gone")

            #expect(try await queue.deleteFinished(before: testTime(500)) == 2)
            #expect(try await queue.list(status: nil, limit: 10).map(\.id) == [recent[0], old[2]])
            #expect(try await queue.list(status: .queued, limit: 1).map(\.id) == [recent[0]])
        }
    }
}
