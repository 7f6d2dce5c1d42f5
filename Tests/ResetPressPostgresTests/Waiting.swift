import Foundation
import Synchronization

/// Whether `condition` holds within `limit` (far above any stall of a loaded machine), looked at every 20 ms.
func eventually(within limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Holds every task that passes until opened, counting them.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, arrived: Int, waiting: [CheckedContinuation<Void, Never>])>((false, 0, []))

    /// How many tasks reached the gate.
    var arrived: Int { state.withLock { $0.arrived } }

    /// Whether the gate was opened.
    var isOpen: Bool { state.withLock { $0.open } }

    /// Returns once the gate is open.
    func pass() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                state.arrived += 1
                if !state.open { state.waiting.append(continuation) }
                return state.open
            }
            if open { continuation.resume() }
        }
    }

    /// Lets every held and later task through.
    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
