import Foundation

/// Wall-clock dates read from a `Clock`: `origin` when created, then moving exactly as the clock moves.
///
/// The memory stores use it for the few times a protocol does not pass in (when a password hash
/// changed, when the notice of a change was queued), so a test with a manual clock controls them too.
struct ClockDates<C: Clock>: Sendable where C.Duration == Duration {
    let clock: C
    private let start: C.Instant
    private let origin: Date

    /// Dates that read `origin` now and follow `clock` from here.
    init(clock: C, origin: Date) {
        self.clock = clock
        self.start = clock.now
        self.origin = origin
    }

    /// The date the clock reads now.
    var now: Date {
        let elapsed = start.duration(to: clock.now).components
        return origin.addingTimeInterval(Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
    }
}
