@testable import ResetPressDelivery
import Synchronization
import Testing

/// ``OutboxBacklog`` on its own: who waits, in which order, and for how long.
@Suite struct OutboxBacklogTests {
    /// Starts `admit` in a task and records when it returned.
    final class Admission: Sendable {
        private final class Outcome: Sendable {
            let waited = Mutex<Bool?>(nil)
        }

        private let outcome = Outcome()

        init(_ backlog: OutboxBacklog, limit: Int, maxWait: Duration = .seconds(30)) {
            let outcome = self.outcome
            Task {
                let waited = await backlog.admit(limit: limit, maxWait: maxWait)
                outcome.waited.withLock { $0 = waited }
            }
        }

        /// Whether it returned (and that it waited), nil while it still waits.
        var waited: Bool? { outcome.waited.withLock { $0 } }

        /// Waits up to 20 s for `admit` to return.
        func settle() async -> Bool? {
            let deadline = ContinuousClock.now + .seconds(20)
            while waited == nil && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(2)) }
            return waited
        }
    }

    /// Waits (up to 20 s) until `count` admissions wait in line, however slowly a loaded machine starts their tasks.
    private func untilWaiting(_ count: Int, in backlog: OutboxBacklog) async {
        let deadline = ContinuousClock.now + .seconds(20)
        while backlog.waiting != count && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(2)) }
        #expect(backlog.waiting == count)
    }

    /// Gives a parked admission a chance to return (it must not).
    private func pause() async {
        try? await Task.sleep(for: .milliseconds(60))
    }

    @Test func belowTheLimitOrWithNoLimitNobodyWaits() async {
        let backlog = OutboxBacklog()
        backlog.queued(2)
        #expect(await backlog.admit(limit: 3, maxWait: .seconds(30)) == false)
        backlog.queued()
        #expect(await backlog.admit(limit: 0, maxWait: .seconds(30)) == false)
        #expect(backlog.pending == 3)
    }

    @Test func atTheLimitARequestWaitsUntilTheSenderFinishesOne() async {
        let backlog = OutboxBacklog()
        backlog.queued(3)
        let admission = Admission(backlog, limit: 3)
        await untilWaiting(1, in: backlog)
        backlog.claimed(3)
        await pause()
        #expect(admission.waited == nil, "a claim alone makes no room: the mail is not sent yet")
        backlog.finished(1)
        #expect(await admission.settle() == true)
        #expect(backlog.pending == 2)
    }

    @Test func waitersGoInTheOrderTheyCameAndAFreshRequestQueuesBehindThem() async {
        let backlog = OutboxBacklog()
        backlog.queued(2)
        let first = Admission(backlog, limit: 2)
        await untilWaiting(1, in: backlog)
        let second = Admission(backlog, limit: 2)
        await untilWaiting(2, in: backlog)
        backlog.claimed(2)
        backlog.finished(1)
        #expect(await first.settle() == true)
        await pause()
        #expect(second.waited == nil)
        backlog.queued()  // the first one queued its mail: full again
        let third = Admission(backlog, limit: 2)
        await untilWaiting(2, in: backlog)
        backlog.finished(1)
        #expect(await second.settle() == true)
        await pause()
        #expect(third.waited == nil, "a request that came later must not pass the ones waiting")
        backlog.queued()
        backlog.drained()
        #expect(await third.settle() == true)
    }

    @Test func aStalledSenderDelaysARequestByAtMostTheLongestWait() async {
        let backlog = OutboxBacklog()
        backlog.queued()
        let start = ContinuousClock.now
        #expect(await backlog.admit(limit: 1, maxWait: .milliseconds(200)) == true)
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(200))
        #expect(waited < .seconds(30))  // generous: CI machines have stalled for 6 s
    }

    @Test func anEmptyClaimForgetsMailAnotherSenderTookAndKeepsWhatIsInFlight() async {
        let backlog = OutboxBacklog()
        backlog.queued(5)
        backlog.claimed(2)
        let admission = Admission(backlog, limit: 3)
        await untilWaiting(1, in: backlog)
        backlog.drained()  // nothing left to claim: the 3 unclaimed ones went elsewhere
        #expect(backlog.pending == 2)
        #expect(await admission.settle() == true)
    }
}
