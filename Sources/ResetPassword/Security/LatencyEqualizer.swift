import Foundation
import Synchronization

/// Makes answers that did no work (unknown email, throttled account) take as long as answers
/// that issued a code, so timing does not tell which emails have accounts.
///
/// It keeps a running estimate of the real path's median duration (each sample nudges it 5% up
/// or down, so rare slow requests do not drag it as they would a mean) and makes the short
/// path wait for it.
/// A sleep wakes a little late, and by a machine-dependent amount: the equalizer also tracks the
/// median of that lateness (10 µs nudges) and asks for correspondingly less, so the two paths'
/// typical durations match rather than the short path running consistently long.
public final class LatencyEqualizer: Sendable {
    private struct Averages {
        var realPath = 0.002
        var oversleep = 0.0
    }

    private let averages = Mutex(Averages())

    public init() {}

    /// Records how long a request that issued a code took.
    public func record(_ duration: Duration) {
        let seconds = Self.seconds(duration)
        averages.withLock { $0.realPath *= min(seconds, 1.0) > $0.realPath ? 1.05 : 1 / 1.05 }
    }

    /// Waits until a request that started at `start` has taken as long as the real path does.
    public func pad(since start: ContinuousClock.Instant) async {
        let (target, oversleep) = averages.withLock { ($0.realPath, $0.oversleep) }
        let elapsed = Self.seconds(ContinuousClock.now - start)
        let wait = target - elapsed - oversleep
        guard wait > 0 else {
            // No sleep, so no new lateness sample: let an estimate inflated by a load spike fade.
            averages.withLock { $0.oversleep *= 0.9 }
            return
        }
        let asleep = ContinuousClock.now
        try? await Task.sleep(for: .microseconds(Int(wait * 1_000_000)))
        let late = min(max(Self.seconds(ContinuousClock.now - asleep) - wait, 0), target / 2)
        // Median, not mean: a few long oversleeps under load must not shorten every later wait.
        averages.withLock { $0.oversleep = max(0, $0.oversleep + (late > $0.oversleep ? 0.00001 : -0.00001)) }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
