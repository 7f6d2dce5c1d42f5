import Foundation
import Synchronization

/// Rate-limit counters in this process's memory: the store for a single node (SQLite).
///
/// A restart forgets the counts, which errs on the side of letting people in. Ended windows
/// are swept at most once a minute as hits arrive, so memory is bounded by the keys seen in
/// the windows still open. Nothing here suspends, so the hot path of a single node never
/// waits on `admit`.
public final class MemoryRateLimitStore: RateLimitStore {
    private struct Window: Hashable {
        let key: String
        let start: Int
        let length: Int
    }

    private struct State {
        var counts: [Window: Int] = [:]
        var nextSweep = 0
    }

    private let state = Mutex(State())

    /// Creates a store with no counts.
    public init() {}

    /// The window of `windowSeconds` containing `now`, for `key`.
    private static func window(key: String, windowSeconds: Int, now: Date) -> Window {
        let length = max(1, windowSeconds)
        let seconds = Int(now.timeIntervalSince1970.rounded(.down))
        return Window(key: key, start: seconds - ((seconds % length) + length) % length, length: length)
    }

    public func hit(key: String, windowSeconds: Int, now: Date) async throws -> Int {
        let window = Self.window(key: key, windowSeconds: windowSeconds, now: now)
        let seconds = Int(now.timeIntervalSince1970.rounded(.down))
        return state.withLock { state -> Int in
            if seconds >= state.nextSweep {
                state.counts = state.counts.filter { $0.key.start + $0.key.length > seconds }
                state.nextSweep = seconds + 60
            }
            let count = state.counts[window, default: 0] + 1
            state.counts[window] = count
            return count
        }
    }

    public func count(key: String, windowSeconds: Int, now: Date) async throws -> Int {
        let window = Self.window(key: key, windowSeconds: windowSeconds, now: now)
        return state.withLock { $0.counts[window, default: 0] }
    }

    public func remove(key: String) async throws {
        state.withLock { state in state.counts = state.counts.filter { $0.key.key != key } }
    }

    public func deleteExpired(now: Date) async throws -> Int {
        let seconds = Int(now.timeIntervalSince1970.rounded(.down))
        return state.withLock { state -> Int in
            let before = state.counts.count
            state.counts = state.counts.filter { $0.key.start + $0.key.length > seconds }
            return before - state.counts.count
        }
    }
}
