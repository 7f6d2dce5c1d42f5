import Foundation
import Synchronization

/// Makes answers that did no work (unknown email, throttled account) take as long as answers
/// that issued a code, so timing does not tell which emails have accounts.
///
/// It keeps a moving average of the real path's duration and makes the short path wait for it.
public final class LatencyEqualizer: Sendable {
    private let average = Mutex<Double>(0.002)

    public init() {}

    /// Records how long a request that issued a code took.
    public func record(_ duration: Duration) {
        let seconds = Self.seconds(duration)
        average.withLock { $0 = $0 * 0.9 + min(seconds, 1.0) * 0.1 }
    }

    /// Waits until a request that started at `start` has taken as long as the real path does.
    public func pad(since start: ContinuousClock.Instant) async {
        let target = average.withLock { $0 }
        let elapsed = Self.seconds(ContinuousClock.now - start)
        guard target > elapsed else { return }
        try? await Task.sleep(for: .microseconds(Int((target - elapsed) * 1_000_000)))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
