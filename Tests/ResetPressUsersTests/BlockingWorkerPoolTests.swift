import Foundation
import Testing

@testable import ResetPressUsers

@Suite struct BlockingWorkerPoolTests {
    @Test func eightConcurrentHashesRunAtMostTwoAtATime() async throws {
        let hasher = PasswordHasher(maxConcurrent: 2)
        #expect(hasher.maxConcurrent == 2)
        let hashes = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<8 {
                group.addTask { (index, try await hasher.hash("password \(index)", cost: 6)) }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(hashes.count == 8)
        for (index, hash) in hashes {
            #expect(await hasher.verify("password \(index)", against: hash))
        }
        #expect((1...2).contains(hasher.pool.peakConcurrency))
    }

    @Test func peakConcurrencyReachesButNeverPassesTheLimit() async {
        let pool = BlockingWorkerPool(threadCount: 2, name: "test pool")
        defer { pool.shutdown() }
        let results = await withTaskGroup(of: Int.self) { group in
            for index in 0..<6 {
                group.addTask { await pool.run { Thread.sleep(forTimeInterval: 0.05); return index } }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == Array(0..<6))
        #expect(pool.peakConcurrency == 2)
    }

    @Test func jobsRunOnThePoolsOwnThreads() async {
        let pool = BlockingWorkerPool(threadCount: 1, name: "named pool")
        defer { pool.shutdown() }
        // A one-thread pool runs every job on its one dedicated thread (thread names proved unreliable on CI).
        var threads: [pthread_t] = []
        for _ in 0..<5 {
            threads.append(await pool.run { pthread_self() })
        }
        #expect(Set(threads).count == 1)
    }

    @Test(.timeLimit(.minutes(1))) func waitingCallersHoldNoThread() async {
        let pool = BlockingWorkerPool(threadCount: 1, name: "busy pool")
        defer { pool.shutdown() }
        let gate = DispatchSemaphore(value: 0)
        let blocker = Task { await pool.run { gate.wait(); return -1 } }
        // Far more waiting callers than cooperative threads: if any held a thread, nothing else could run.
        let waiters = (0..<32).map { index in Task { await pool.run { index } } }
        while pool.pendingCount < 32 {
            await Task.yield()
        }
        let unrelated = await Task { 40 + 2 }.value
        #expect(unrelated == 42)
        gate.signal()
        #expect(await blocker.value == -1)
        var sum = 0
        for waiter in waiters {
            sum += await waiter.value
        }
        #expect(sum == (0..<32).reduce(0, +))
        #expect(pool.peakConcurrency == 1)
    }
}
