import Foundation
import ResetPressEngine
import ResetPressStorage

/// Bounded retention of the events table: the setting `events.keep_days` and the job `flush_events`.
public enum EventRetention {
    /// Days an event is kept; the retention job deletes older ones.
    public static let keepDays = SettingKey(
        "events.keep_days", default: 90, kind: .int,
        description: "Days the events behind the dashboard and `resetpress stats` are kept (no secret or email is in them).",
        validate: { (1...3650).contains($0) ? nil : "must be between 1 and 3650" })

    /// Registers `events.keep_days` and the hourly job `flush_events` (before the engine starts).
    public static func activate(in engine: Engine, events: any EventStore, clock: @escaping @Sendable () -> Date) {
        engine.settings.register(keepDays)
        engine.jobs.register(Job(
            name: "flush_events", description: "Forget events older than events.keep_days.", defaultInterval: 3600
        ) { [settings = engine.settings] in
            let cutoff = clock().addingTimeInterval(-Double(settings[keepDays]) * 86_400)
            return "\(try await events.deleteOlder(than: cutoff)) old events deleted"
        })
    }
}
