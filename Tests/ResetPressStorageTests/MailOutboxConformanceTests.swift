import Foundation
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// The `MailOutbox` contract, checked against every backend.
@Suite struct MailOutboxConformanceTests {
    @Test(arguments: Backend.allCases)
    func enqueuedMailRoundTripsAndIsDueAtOnce(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            let mail = try testMail(subject: "Réinitialisation ✓")
            let id = try await outbox.enqueue(mail, now: testTime())
            let entry = try #require(try await outbox.list(status: nil, limit: 10).first)
            #expect(entry == OutboxEntry(
                id: id, payload: mail, status: .queued, attempts: 0,
                lastError: nil, createdAt: testTime(), nextAttemptAt: testTime(), sentAt: nil))
            #expect(try await outbox.nextDue() == testTime())
            #expect(try await outbox.counts() == [.queued: 1, .sending: 0, .sent: 0, .failed: 0])
        }
    }

    @Test(arguments: Backend.allCases)
    func theOldestSealedEntryIsTheOldestNotSentOrFailedWithItsSealedBody(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            let sealer = InstallSecret(bytes: Data(repeating: 3, count: 32)).mailSealer()
            #expect(try await outbox.oldestSealed() == nil)
            _ = try await outbox.enqueue(try testMail(), now: testTime(-10))
            #expect(try await outbox.oldestSealed() == nil, "a plain body is sealed under no key")
            _ = try await outbox.claimDue(limit: 1, now: testTime(-9), owner: "a", leaseUntil: testTime(60))
            let sent = try await outbox.enqueue(try testMail().sealed(with: sealer), now: testTime())
            let failedForGood = try await outbox.enqueue(try testMail().sealed(with: sealer), now: testTime(1))
            _ = try await outbox.enqueue(try testMail().sealed(with: sealer), now: testTime(2))
            #expect(try await outbox.oldestSealed() == testTime())
            _ = try await outbox.claimDue(limit: 2, now: testTime(3), owner: "a", leaseUntil: testTime(60))
            try await outbox.markSent(id: sent, at: testTime(4))
            #expect(try await outbox.oldestSealed() == testTime(1), "a leased entry still holds its body")
            try await outbox.markFailed(id: failedForGood, error: "550", keepingBody: true, events: [])
            #expect(try await outbox.oldestSealed() == testTime(1), "a failed entry kept for a retry holds its body")
            try await outbox.markFailed(id: failedForGood, error: "550", keepingBody: false, events: [])
            #expect(try await outbox.oldestSealed() == testTime(2))
        }
    }

    @Test(arguments: Backend.allCases)
    func claimDueTakesDueEntriesOldestFirstUpToTheLimit(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            let first = try await outbox.enqueue(try testMail(), now: testTime())
            let second = try await outbox.enqueue(try testMail(), now: testTime(1))
            let third = try await outbox.enqueue(try testMail(), now: testTime(2))
            _ = try await outbox.enqueue(try testMail(), now: testTime(100))

            let claimed = try await outbox.claimDue(limit: 2, now: testTime(50))
            #expect(claimed.map(\.id) == [first, second])
            #expect(claimed.allSatisfy { $0.status == .sending && $0.attempts == 1 })
            #expect(try await outbox.claimDue(limit: 10, now: testTime(50)).map(\.id) == [third])
            #expect(try await outbox.claimDue(limit: 10, now: testTime(50)).isEmpty)
            #expect(try await outbox.nextDue() == testTime(100))
            #expect(try await outbox.counts() == [.queued: 1, .sending: 3, .sent: 0, .failed: 0])
        }
    }

    @Test(arguments: Backend.allCases)
    func markSentRetryAndFailedMoveEntries(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            let sent = try await outbox.enqueue(try testMail(), now: testTime())
            let retried = try await outbox.enqueue(try testMail(), now: testTime())
            let failed = try await outbox.enqueue(try testMail(), now: testTime())
            _ = try await outbox.claimDue(limit: 10, now: testTime())

            try await outbox.markSent(id: sent, at: testTime(5))
            try await outbox.markRetry(id: retried, error: "421 try later", retryAt: testTime(60))
            try await outbox.markFailed(id: failed, error: "550 no such user")

            let byID = Dictionary(uniqueKeysWithValues: try await outbox.list(status: nil, limit: 10).map { ($0.id, $0) })
            #expect(byID[sent]?.status == .sent && byID[sent]?.sentAt == testTime(5))
            #expect(byID[retried]?.status == .queued && byID[retried]?.lastError == "421 try later" && byID[retried]?.nextAttemptAt == testTime(60))
            #expect(byID[failed]?.status == .failed && byID[failed]?.lastError == "550 no such user")
            #expect(try await outbox.nextDue() == testTime(60))
            #expect(try await outbox.claimDue(limit: 10, now: testTime(59)).isEmpty)
            #expect(try await outbox.claimDue(limit: 10, now: testTime(60)).map(\.attempts) == [2])
            await #expect(throws: StorageError.notFound("Outbox entry 999")) {
                try await outbox.markSent(id: 999, at: testTime())
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func aSentEntryKeepsTheTransportsAnswerAndNoOtherDoes(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            var ids: [Int64] = []
            for _ in 0..<5 { ids.append(try await outbox.enqueue(try testMail(), now: testTime())) }
            let claimed = try await outbox.claimDue(limit: 4, now: testTime(), owner: "a", leaseUntil: testTime(60))
            #expect(claimed.count == 4 && claimed.allSatisfy { $0.deliveryDetail == nil })

            let answer = "250 2.0.0 Ok: queued as 4F3A21B"
            let path = "/srv/site/var/mail/20231114T221320.000Z-x_example.com.eml"
            try await outbox.markSent([(ids[0], answer), (ids[1], path), (ids[2], nil)], at: testTime(5), events: [])
            try await outbox.markFailed(id: ids[3], error: "550 5.1.1 <ann@example.com>: Recipient address rejected")

            let byID = Dictionary(uniqueKeysWithValues: try await outbox.list(status: nil, limit: 10).map { ($0.id, $0) })
            #expect(byID[ids[0]]?.deliveryDetail == answer && byID[ids[0]]?.status == .sent && byID[ids[0]]?.body == nil)
            #expect(byID[ids[1]]?.deliveryDetail == path)
            #expect(byID[ids[2]]?.status == .sent && byID[ids[2]]?.deliveryDetail == nil)
            #expect(byID[ids[3]]?.deliveryDetail == nil && byID[ids[3]]?.lastError == "550 5.1.1 <ann@example.com>: Recipient address rejected")
            #expect(byID[ids[4]]?.status == .queued && byID[ids[4]]?.deliveryDetail == nil)
            #expect(!byID.values.contains { $0.deliveryDetail?.contains("123456") == true })
        }
    }

    @Test(arguments: Backend.allCases)
    func entriesOfAUserAreTheirMailNewestFirst(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            func mail(for userID: Int64?) throws -> OutboxMail {
                var mail = try testMail()
                mail.userID = userID
                return mail
            }
            var ann: [Int64] = []
            for index in 0..<3 {
                ann.append(try await outbox.enqueue(try mail(for: 7), now: testTime(Double(index))))
                _ = try await outbox.enqueue(try mail(for: 8), now: testTime(Double(index)))
                _ = try await outbox.enqueue(try mail(for: nil), now: testTime(Double(index)))
            }
            _ = try await outbox.claimDue(limit: 1, now: testTime(10), owner: "a", leaseUntil: testTime(60))
            try await outbox.markSent(id: ann[0], at: testTime(11), detail: "250 2.0.0 Ok: queued as 4F3A21B")

            let entries = try await outbox.entries(userID: 7, limit: 10)
            #expect(entries.map(\.id) == ann.reversed())
            #expect(entries.allSatisfy { $0.userID == 7 })
            #expect(entries.last?.status == .sent && entries.last?.deliveryDetail == "250 2.0.0 Ok: queued as 4F3A21B")
            #expect(try await outbox.entries(userID: 7, limit: 2).map(\.id) == [ann[2], ann[1]])
            #expect(try await outbox.entries(userID: 8, limit: 10).count == 3)
            #expect(try await outbox.entries(userID: 9, limit: 10).isEmpty)
            #expect(try await outbox.entries(userID: 7, limit: 0).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func retryQueuesFailedEntriesAgain(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            var ids: [Int64] = []
            for _ in 0..<3 { ids.append(try await outbox.enqueue(try testMail(), now: testTime())) }
            _ = try await outbox.claimDue(limit: 10, now: testTime())
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
    }

    @Test(arguments: Backend.allCases)
    func requeueAbandonedQueuesEntriesLeftSending(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            let id = try await outbox.enqueue(try testMail(), now: testTime())
            _ = try await outbox.enqueue(try testMail(), now: testTime(100))
            _ = try await outbox.claimDue(limit: 10, now: testTime())
            #expect(try await outbox.requeueAbandoned(now: testTime(30), owner: testOwner) == 1)
            #expect(try await outbox.requeueAbandoned(now: testTime(30), owner: testOwner) == 0)
            #expect(try await outbox.claimDue(limit: 10, now: testTime(30)).map(\.id) == [id])
        }
    }

    @Test(arguments: Backend.allCases)
    func requeueLeavesAnotherOwnersLiveLeaseAlone(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            let id = try await outbox.enqueue(try testMail(), now: testTime())
            let claimed = try await outbox.claimDue(limit: 10, now: testTime(), owner: "a", leaseUntil: testTime(60))
            #expect(claimed.map(\.claimedBy) == ["a"] && claimed.map(\.leaseUntil) == [testTime(60)])
            #expect(try await outbox.requeueAbandoned(now: testTime(59), owner: "b") == 0)
            #expect(try await outbox.requeueAbandoned(now: testTime(59), owner: nil) == 0)
            let entry = try #require(try await outbox.list(status: nil, limit: 10).first)
            #expect(entry.id == id && entry.status == .sending && entry.claimedBy == "a" && entry.leaseUntil == testTime(60))
        }
    }

    @Test(arguments: Backend.allCases)
    func requeueTakesEntriesWhoseLeaseEnded(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            let id = try await outbox.enqueue(try testMail(), now: testTime())
            _ = try await outbox.claimDue(limit: 10, now: testTime(), owner: "a", leaseUntil: testTime(60))
            #expect(try await outbox.requeueAbandoned(now: testTime(60), owner: "b") == 1)
            let entry = try #require(try await outbox.list(status: nil, limit: 10).first)
            #expect(entry.id == id && entry.status == .queued && entry.nextAttemptAt == testTime(60))
            #expect(entry.claimedBy == nil && entry.leaseUntil == nil)
            #expect(try await outbox.claimDue(limit: 10, now: testTime(60), owner: "b", leaseUntil: testTime(120)).map(\.attempts) == [2])
        }
    }

    @Test(arguments: Backend.allCases)
    func requeueTakesItsOwnersEntriesWhateverTheirLease(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            let own = try await outbox.enqueue(try testMail(), now: testTime())
            _ = try await outbox.claimDue(limit: 10, now: testTime(), owner: "a", leaseUntil: testTime(60))
            _ = try await outbox.enqueue(try testMail(), now: testTime())
            _ = try await outbox.claimDue(limit: 10, now: testTime(), owner: "b", leaseUntil: testTime(60))
            #expect(try await outbox.requeueAbandoned(now: testTime(10), owner: "a") == 1)
            #expect(try await outbox.list(status: .queued, limit: 10).map(\.id) == [own])
            #expect(try await outbox.list(status: .sending, limit: 10).map(\.claimedBy) == ["b"])
        }
    }

    /// Not on memory: rows claimed before leases existed are written in SQL.
    @Test(arguments: Backend.sqlBackends)
    func requeueTakesEntriesClaimedWithoutALease(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            _ = try await outbox.enqueue(try testMail(), now: testTime())
            _ = try await outbox.claimDue(limit: 10, now: testTime(), owner: "a", leaseUntil: testTime(60))
            try await stores.execute("UPDATE outbox SET claimed_by = NULL, lease_until = NULL")
            #expect(try await outbox.requeueAbandoned(now: testTime(1), owner: nil) == 1)
            #expect(try await outbox.counts()[.queued] == 1)
        }
    }

    /// Not on memory: a sent entry still naming its owner is written in SQL.
    @Test(arguments: Backend.sqlBackends)
    func renewMovesOnlyThatOwnersSendingLeases(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            for _ in 0..<3 { _ = try await outbox.enqueue(try testMail(), now: testTime()) }
            let mine = try await outbox.claimDue(limit: 2, now: testTime(), owner: "a", leaseUntil: testTime(60))
            let theirs = try await outbox.claimDue(limit: 2, now: testTime(), owner: "b", leaseUntil: testTime(60))
            #expect(try await outbox.renewLeases(owner: "a", until: testTime(90)) == 2)
            try await outbox.markSent(id: mine[0].id, at: testTime(5))
            try await stores.execute("UPDATE outbox SET claimed_by = 'a' WHERE status = 'sent'")
            #expect(try await outbox.renewLeases(owner: "a", until: testTime(120)) == 1)
            let leases = Dictionary(uniqueKeysWithValues: try await outbox.list(status: nil, limit: 10).map { ($0.id, $0.leaseUntil) })
            #expect(leases == [mine[0].id: nil, mine[1].id: testTime(120), theirs[0].id: testTime(60)])
            #expect(try await outbox.renewLeases(owner: "c", until: testTime(120)) == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func leavingSendingClearsTheOwnerAndLease(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            var ids: [Int64] = []
            for _ in 0..<4 { ids.append(try await outbox.enqueue(try testMail(), now: testTime())) }
            let claimed = try await outbox.claimDue(limit: 10, now: testTime(), owner: "a", leaseUntil: testTime(60))
            #expect(claimed.allSatisfy { $0.claimedBy == "a" && $0.leaseUntil == testTime(60) })
            try await outbox.markSent(id: ids[0], at: testTime(1))
            try await outbox.markRetry(id: ids[1], error: "421 later", retryAt: testTime(30))
            try await outbox.markFailed(id: ids[2], error: "550 no")
            try await outbox.markFailed(id: ids[3], error: "550 no")
            #expect(try await outbox.retry(ids: [ids[3]], now: testTime(2)) == 1)
            let entries = try await outbox.list(status: nil, limit: 10)
            #expect(entries.map(\.status) == [.queued, .failed, .queued, .sent])
            #expect(entries.allSatisfy { $0.claimedBy == nil && $0.leaseUntil == nil })
        }
    }

    @Test(arguments: Backend.allCases)
    func listFiltersByStatusNewestFirstWithALimit(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            var ids: [Int64] = []
            for index in 0..<4 { ids.append(try await outbox.enqueue(try testMail(kind: "k\(index)"), now: testTime(Double(index)))) }
            _ = try await outbox.claimDue(limit: 1, now: testTime(10))
            #expect(try await outbox.list(status: nil, limit: 3).map(\.id) == [ids[3], ids[2], ids[1]])
            #expect(try await outbox.list(status: .sending, limit: 10).map(\.id) == [ids[0]])
            #expect(try await outbox.list(status: .failed, limit: 10).isEmpty)
            #expect(try await outbox.list(status: nil, limit: 0).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func emptyOutboxHasNothingDue(_ backend: Backend) async throws {
        try await withStores(backend) { stores async throws in
            #expect(try await stores.outbox.nextDue() == nil)
            #expect(try await stores.outbox.counts().values.allSatisfy { $0 == 0 })
            #expect(try await stores.outbox.claimDue(limit: 10, now: testTime()).isEmpty)
        }
    }
}
