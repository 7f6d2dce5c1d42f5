import Synchronization

/// Paces the requests that queue mail to what the sender delivers: a bound on the mail waiting in
/// this node's outbox, so a burst waits at the door for seconds instead of in the queue for minutes.
///
/// `pending` counts the mails this node queued (``queued(_:)``) and its sender has not yet finished
/// (sent, failed, or put back to retry later: ``finished(_:)``). It is an estimate, kept in memory:
/// when a claim finds nothing due, every queued mail has been claimed, so `pending` becomes the count
/// of claimed ones still in flight (``drained()``); mail that another node's sender took or that an
/// earlier run left is thereby forgotten, never counted twice. ``admit(limit:maxWait:)`` returns at
/// once while `pending` is below the limit and nobody waits; otherwise it waits in line until the
/// sender makes room or `maxWait` passes, then returns anyway (the request goes on and queues its
/// mail: a stalled transport slows requests down, it never refuses them).
public final class OutboxBacklog: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var pending = 0
        var inFlight = 0
        var limit = 0
        /// Parked waiters, first come first.
        var waiters: [Waiter] = []
        /// The ids of waiters not yet let in or timed out (parked or about to park).
        var waiting: Set<UInt64> = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Mails queued by this node and not yet finished by its sender (an estimate, see the type's summary).
    public var pending: Int {
        state.withLock { $0.pending }
    }

    /// How many requests wait in line now.
    public var waiting: Int {
        state.withLock { $0.waiters.count }
    }

    /// Waits while `limit` or more mails are pending (or others wait before it), at most `maxWait`;
    /// returns whether it had to wait. A `limit` of 0 or less never waits.
    @discardableResult
    public func admit(limit: Int, maxWait: Duration) async -> Bool {
        guard limit > 0 else { return false }
        let id: UInt64? = state.withLock { state in
            state.limit = limit
            guard state.pending >= limit || !state.waiters.isEmpty else { return nil }
            state.nextID += 1
            state.waiting.insert(state.nextID)
            return state.nextID
        }
        guard let id else { return false }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.park(id) }
            group.addTask {
                try? await Task.sleep(for: maxWait)
                self.release(id)
            }
            await group.next()
            group.cancelAll()
        }
        return true
    }

    /// Counts `count` mails just queued.
    public func queued(_ count: Int = 1) {
        state.withLock { $0.pending += count }
    }

    /// Counts `count` mails the sender claimed.
    func claimed(_ count: Int) {
        state.withLock { $0.inFlight += count }
    }

    /// Counts `count` claimed mails as finished (sent, failed or due again later), letting waiters in.
    func finished(_ count: Int) {
        let resumed = state.withLock { state -> [Waiter] in
            state.inFlight = max(0, state.inFlight - count)
            state.pending = max(0, state.pending - count)
            return Self.letIn(&state)
        }
        for waiter in resumed { waiter.continuation.resume() }
    }

    /// A claim found nothing due: only the claimed mails still in flight are pending.
    func drained() {
        let resumed = state.withLock { state -> [Waiter] in
            state.pending = min(state.pending, state.inFlight)
            return Self.letIn(&state)
        }
        for waiter in resumed { waiter.continuation.resume() }
    }

    /// Takes as many parked waiters off the line, first come first, as there is room below the limit.
    private static func letIn(_ state: inout State) -> [Waiter] {
        let room = max(0, state.limit - state.pending)
        let resumed = Array(state.waiters.prefix(room))
        state.waiters.removeFirst(resumed.count)
        for waiter in resumed { state.waiting.remove(waiter.id) }
        return resumed
    }

    /// Parks the waiter `id` until ``letIn(_:)`` or ``release(_:)`` resumes it; returns at once if its
    /// time was up before it parked, or if room came before it parked and it is first in line.
    private func park(_ id: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // Room may have come between the decision to wait and now: let in whoever it fits, maybe this one.
            let resumed = state.withLock { state -> [Waiter] in
                guard state.waiting.contains(id) else { return [Waiter(id: id, continuation: continuation)] }
                state.waiters.append(Waiter(id: id, continuation: continuation))
                return Self.letIn(&state)
            }
            for waiter in resumed { waiter.continuation.resume() }
        }
    }

    /// Lets the waiter `id` go when its time is up; a no-op once it was let in.
    private func release(_ id: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            guard state.waiting.remove(id) != nil, let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume()
    }
}
