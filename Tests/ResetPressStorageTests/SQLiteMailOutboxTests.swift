import Foundation
import Testing
@testable import ResetPressStorage

@Suite struct SQLiteMailOutboxTests {
    let database: SQLiteDatabase
    let outbox: SQLiteMailOutbox

    init() throws {
        database = try makeTemporaryDatabase()
        outbox = database.outbox
    }

    @Test func enqueuedMailRoundTripsAndIsDueAtOnce() async throws {
        let mail = try testMail(subject: "Réinitialisation")
        let id = try await outbox.enqueue(mail, now: testTime())
        let entry = try #require(try await outbox.list(status: nil, limit: 10).first)
        #expect(entry == OutboxEntry(
            id: id, kind: "reset_code", message: mail.message, messageID: mail.messageID, status: .queued, attempts: 0,
            lastError: nil, createdAt: testTime(), nextAttemptAt: testTime(), sentAt: nil))
        #expect(try await outbox.nextDue() == testTime())
        #expect(try await outbox.counts() == [.queued: 1, .sending: 0, .sent: 0, .failed: 0])
    }

    @Test func claimDueTakesDueEntriesOldestFirstUpToTheLimit() async throws {
        let first = try await outbox.enqueue(try testMail(), now: testTime())
        let second = try await outbox.enqueue(try testMail(), now: testTime(1))
        let third = try await outbox.enqueue(try testMail(), now: testTime(2))
        _ = try await outbox.enqueue(try testMail(), now: testTime(100))

        let claimed = try await outbox.claimDue(limit: 2, now: testTime(50), owner: "a", leaseUntil: testTime(110))
        #expect(claimed.map(\.id) == [first, second])
        #expect(claimed.allSatisfy { $0.status == .sending && $0.attempts == 1 })
        #expect(try await outbox.claimDue(limit: 10, now: testTime(50), owner: "a", leaseUntil: testTime(110)).map(\.id) == [third])
        #expect(try await outbox.claimDue(limit: 10, now: testTime(50), owner: "a", leaseUntil: testTime(110)).isEmpty)
        #expect(try await outbox.nextDue() == testTime(100))
        #expect(try await outbox.counts() == [.queued: 1, .sending: 3, .sent: 0, .failed: 0])
    }

    @Test func markSentRetryAndFailedMoveEntries() async throws {
        let sent = try await outbox.enqueue(try testMail(), now: testTime())
        let retried = try await outbox.enqueue(try testMail(), now: testTime())
        let failed = try await outbox.enqueue(try testMail(), now: testTime())
        _ = try await outbox.claimDue(limit: 10, now: testTime(), owner: "a", leaseUntil: testTime(60))

        try await outbox.markSent(id: sent, at: testTime(5))
        try await outbox.markRetry(id: retried, error: "421 try later", retryAt: testTime(60))
        try await outbox.markFailed(id: failed, error: "550 no such user")

        let byID = Dictionary(uniqueKeysWithValues: try await outbox.list(status: nil, limit: 10).map { ($0.id, $0) })
        #expect(byID[sent]?.status == .sent && byID[sent]?.sentAt == testTime(5))
        #expect(byID[retried]?.status == .queued && byID[retried]?.lastError == "421 try later" && byID[retried]?.nextAttemptAt == testTime(60))
        #expect(byID[failed]?.status == .failed && byID[failed]?.lastError == "550 no such user")
        #expect(try await outbox.nextDue() == testTime(60))
        #expect(try await outbox.claimDue(limit: 10, now: testTime(59), owner: "a", leaseUntil: testTime(119)).isEmpty)
        #expect(try await outbox.claimDue(limit: 10, now: testTime(60), owner: "a", leaseUntil: testTime(120)).map(\.attempts) == [2])
        await #expect(throws: StorageError.notFound("Outbox entry 999")) {
            try await outbox.markSent(id: 999, at: testTime())
        }
    }

    @Test func retryQueuesFailedEntriesAgain() async throws {
        var ids: [Int64] = []
        for _ in 0..<3 { ids.append(try await outbox.enqueue(try testMail(), now: testTime())) }
        _ = try await outbox.claimDue(limit: 10, now: testTime(), owner: "a", leaseUntil: testTime(60))
        for id in ids { try await outbox.markFailed(id: id, error: "down") }

        #expect(try await outbox.retry(ids: [ids[0], 999], now: testTime(10)) == 1)
        #expect(try await outbox.retry(ids: [], now: testTime(10)) == 0)
        #expect(try await outbox.counts() == [.queued: 1, .sending: 0, .sent: 0, .failed: 2])
        #expect(try await outbox.retry(ids: nil, now: testTime(20)) == 2)
        #expect(try await outbox.retry(ids: nil, now: testTime(20)) == 0)
        let queued = try await outbox.list(status: .queued, limit: 10)
        #expect(queued.map(\.id) == ids.reversed())
        #expect(queued.allSatisfy { $0.attempts == 0 && $0.lastError == "down" })
        #expect(try await outbox.nextDue() == testTime(10))
    }

    @Test func requeueAbandonedQueuesEntriesLeftSending() async throws {
        let id = try await outbox.enqueue(try testMail(), now: testTime())
        _ = try await outbox.enqueue(try testMail(), now: testTime(100))
        _ = try await outbox.claimDue(limit: 10, now: testTime(), owner: "a", leaseUntil: testTime(60))
        #expect(try await outbox.requeueAbandoned(now: testTime(30), owner: "a") == 1)
        #expect(try await outbox.requeueAbandoned(now: testTime(30), owner: "a") == 0)
        #expect(try await outbox.claimDue(limit: 10, now: testTime(30), owner: "a", leaseUntil: testTime(90)).map(\.id) == [id])
    }

    @Test func listFiltersByStatusNewestFirstWithALimit() async throws {
        var ids: [Int64] = []
        for index in 0..<4 { ids.append(try await outbox.enqueue(try testMail(kind: "k\(index)"), now: testTime(Double(index)))) }
        _ = try await outbox.claimDue(limit: 1, now: testTime(10), owner: "a", leaseUntil: testTime(70))
        #expect(try await outbox.list(status: nil, limit: 3).map(\.id) == [ids[3], ids[2], ids[1]])
        #expect(try await outbox.list(status: .sending, limit: 10).map(\.id) == [ids[0]])
        #expect(try await outbox.list(status: .failed, limit: 10).isEmpty)
        #expect(try await outbox.list(status: nil, limit: 0).isEmpty)
    }

    @Test func emptyOutboxHasNothingDue() async throws {
        #expect(try await outbox.nextDue() == nil)
        #expect(try await outbox.counts().values.allSatisfy { $0 == 0 })
    }
}
