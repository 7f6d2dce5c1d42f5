import Foundation
import ResetPressEngine
import ResetPressPostgres
import ResetPressStorage
import ResetPressStoreTestSupport
import Synchronization
import Testing

/// A job body's failure, which `withLock` must rethrow after unlocking.
private struct JobFailure: Error {}

/// Two `PostgresDatabase` instances on one database stand for two nodes of a cluster.
@Suite struct CrossNodeTests {
    @Test(arguments: [1, 5])
    func concurrentGuessesFromTwoNodesNeverPassMaxAttempts(connectionsPerNode: Int) async throws {
        try await withPostgres(nodes: 2, maximumConnections: connectionsPerNode) { nodes in
            let id = try await nodes[0].resetCodes.issue(
                NewResetCode(
                    userID: 7, email: "ann@example.com", codeHash: Data(repeating: 1, count: 32), linkHash: Data(repeating: 2, count: 32),
                    createdAt: testTime(), expiresAt: testTime(900), requestIP: "192.0.2.1"),
                mail: nil)
            let stores = nodes.map(\.resetCodes)
            let granted = try await withThrowingTaskGroup(of: Int?.self) { group in
                for guess in 0..<20 { group.addTask { try await stores[guess % 2].claimAttempt(id: id, userID: 7, maxAttempts: 5)?.attempts } }
                var granted: [Int] = []
                for try await attempts in group { if let attempts { granted.append(attempts) } }
                return granted
            }
            #expect(granted.sorted() == [1, 2, 3, 4, 5])
            #expect(try await stores[1].count() == 0)
        }
    }

    @Test func concurrentIssuesForOneUserFromTwoNodesLeaveOneCode() async throws {
        try await withPostgres(nodes: 2) { nodes in
            let stores = nodes.map(\.resetCodes)
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for request in 0..<10 {
                    group.addTask {
                        try await stores[request % 2].issue(
                            NewResetCode(
                                userID: 7, email: "ann@example.com", codeHash: Data(repeating: UInt8(request), count: 32),
                                linkHash: Data(repeating: UInt8(request + 100), count: 32),
                                createdAt: testTime(Double(request)), expiresAt: testTime(900), requestIP: "192.0.2.1"),
                            mail: try testMail())
                    }
                }
                var ids: [Int64] = []
                for try await id in group { ids.append(id) }
                return ids
            }
            #expect(Set(ids).count == 10)
            #expect(try await stores[0].count() == 1)
            let current = try #require(try await stores[1].current(email: "ann@example.com"))
            #expect(ids.contains(current.id))
            #expect(try await nodes[0].outbox.counts()[.queued] == 10)
        }
    }

    @Test func twoNodesClaimingTheOutboxNeverTakeTheSameEntry() async throws {
        try await withPostgres(nodes: 2, maximumConnections: 4) { nodes in
            var queued: [Int64] = []
            for index in 0..<200 { queued.append(try await nodes[index % 2].outbox.enqueue(try testMail(), now: testTime())) }
            let outboxes = nodes.map(\.outbox)
            let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for sender in 0..<6 {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let batch = try await outboxes[sender % 2].claimDue(limit: 7, now: testTime(1))
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.id)
                        }
                    }
                }
                var all: [[Int64]] = []
                for try await ids in group { all.append(ids) }
                return all
            }
            let every = claimed.flatMap { $0 }
            #expect(every.count == 200)
            #expect(Set(every) == Set(queued))
            #expect(claimed.filter { !$0.isEmpty }.count > 1, "one sender took everything: \(claimed.map(\.count))")
            #expect(try await outboxes[0].counts()[.sending] == 200)
            #expect(try await outboxes[1].list(status: .sending, limit: 300).allSatisfy { $0.attempts == 1 })
        }
    }

    @Test func aJobLockHeldByOneNodeExcludesTheOther() async throws {
        try await withPostgres(nodes: 2) { nodes in
            let (held, holding) = AsyncStream.makeStream(of: Void.self)
            let (release, releasing) = AsyncStream.makeStream(of: Void.self)
            let first = nodes[0].jobLock
            let second = nodes[1].jobLock
            let running = Task {
                try await first.withLock("send_mail") { () async -> String in
                    holding.yield()
                    for await _ in release { break }
                    return "ran"
                }
            }
            for await _ in held { break }
            let whileHeld = try await second.withLock("send_mail") { "second ran" }
            let reentered = try await first.withLock("send_mail") { "again ran" }
            let otherJob = try await second.withLock("flush_expired_password_resets") { "other job ran" }
            #expect(whileHeld == nil && reentered == nil)
            #expect(otherJob == "other job ran")
            releasing.yield()
            let firstRun = try await running.value
            let afterRelease = try await second.withLock("send_mail") { "second ran" }
            #expect(firstRun == "ran" && afterRelease == "second ran")

            await #expect(throws: JobFailure.self) {
                _ = try await first.withLock("send_mail") { () async throws -> Int in throw JobFailure() }
            }
            let afterFailure = try await second.withLock("send_mail") { 1 }
            #expect(afterFailure == 1)
        }
    }

    @Test func theRateLimitCounterIsSharedByTwoNodes() async throws {
        try await withPostgres(nodes: 2) { nodes in
            let limits = nodes.map(\.rateLimits)
            let now = testTime(5)
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for hit in 0..<30 { group.addTask { try await limits[hit % 2].hit(key: "ip:192.0.2.1", windowSeconds: 60, now: now) } }
                var counts: [Int] = []
                for try await count in group { counts.append(count) }
                return counts
            }
            #expect(counts.sorted() == Array(1...30))

            var refused: [Int] = []
            for request in 0..<12 {
                if let retryAfter = try await limits[request % 2].admit("ip:198.51.100.7", limit: 10, now: testTime(20)) { refused.append(retryAfter) }
            }
            #expect(refused == [20, 20])  // testTime(20) is 40 s into its minute
            #expect(try await limits[1].admit("ip:198.51.100.7", limit: 10, now: testTime(60)) == nil)
            #expect(try await limits[0].admit("ip:198.51.100.7", limit: 0, now: testTime(20)) == nil)
            #expect(try await limits[0].deleteExpired(now: testTime(60)) == 2)
            #expect(try await limits[0].deleteExpired(now: testTime(60)) == 0)
        }
    }

    @Test func aSettingsWriteOnOneNodeReachesTheOthersFeed() async throws {
        try await withPostgres(nodes: 2) { nodes in
            // The feed yields only what a notification names (a reconnect yields `[]`), so the keys
            // arriving prove the LISTEN/NOTIFY path; the bound only catches a hang.
            let feed = FeedRecorder(try await nodes[1].settingsFeed.changes())
            try await nodes[0].settings.apply(["site.name": .string("Node A"), "mail.from": .string("a@example.com")])
            #expect(await feed.next() == ["mail.from", "site.name"])
            #expect(try await nodes[1].settings.loadAll()["site.name"] == .string("Node A"))

            try await nodes[0].settings.apply(["site.name": nil])
            #expect(await feed.next() == ["site.name"])

            await nodes[1].shutdown()
            #expect(await feed.next() == nil)
            #expect(feed.ended, "the feed did not end when its database shut down")
        }
    }

    @Test func aFailedSettingsWriteNotifiesNobody() async throws {
        try await withPostgres(nodes: 2) { nodes in
            let feed = FeedRecorder(try await nodes[1].settingsFeed.changes())
            // PostgreSQL text cannot hold NUL: the second row fails, so the first is rolled back too.
            await #expect(throws: (any Error).self) {
                try await nodes[0].settings.apply(["ok.key": .int(1), "z\u{0}": .int(3)])
            }
            #expect(try await nodes[0].settings.loadAll().isEmpty)
            try await nodes[0].settings.apply(["after.failure": .bool(true)])
            #expect(await feed.next() == ["after.failure"], "the failed write's keys came first, or nothing came")
        }
    }
}

/// Collects what a settings feed yields, so a test can wait for it with a bound.
private final class FeedRecorder: Sendable {
    private final class Log: Sendable {
        let state = Mutex<(batches: [[String]], taken: Int, ended: Bool)>(([], 0, false))
    }

    private let log: Log
    private let task: Task<Void, Never>

    init(_ changes: AsyncStream<[String]>) {
        let log = Log()
        self.log = log
        task = Task {
            for await keys in changes { log.state.withLock { $0.batches.append(keys) } }
            log.state.withLock { $0.ended = true }
        }
    }

    deinit { task.cancel() }

    /// Whether the feed finished.
    var ended: Bool { log.state.withLock { $0.ended } }

    /// The next batch of keys; nil once the feed ended, or (recording an issue) if none came within `timeout`.
    func next(timeout: Duration = .seconds(60)) async -> [String]? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let next = log.state.withLock { state -> [String]?? in
                if state.taken < state.batches.count {
                    state.taken += 1
                    return .some(state.batches[state.taken - 1])
                }
                return state.ended ? .some(nil) : nil
            }
            if let next { return next }
            if ContinuousClock.now >= deadline {
                Issue.record("the feed yielded nothing within \(timeout)")
                return nil
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
