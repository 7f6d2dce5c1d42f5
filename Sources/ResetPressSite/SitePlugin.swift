import Foundation
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage

/// The site's own always-on part: the `http.*` settings the server reads, and the retention of the
/// events behind the dashboard and `resetpress stats` (`events.keep_days`, the hourly job
/// `flush_events`).
public struct SitePlugin: Plugin {
    public let id = "site"
    public let name = "Site"
    public let version = "1.0.0"
    public var isAlwaysOn: Bool { true }

    /// Days an event is kept; the retention job deletes older ones.
    public static let eventsKeepDays = SettingKey(
        "events.keep_days", default: 90, kind: .int,
        description: "Days the events behind the dashboard and `resetpress stats` are kept (no secret or email is in them).",
        validate: { (1...3650).contains($0) ? nil : "must be between 1 and 3650" })

    private let events: any EventStore
    private let clock: @Sendable () -> Date

    /// The part over `events`, whose retention counts back from `clock`.
    public init(events: any EventStore, clock: @escaping @Sendable () -> Date) {
        self.events = events
        self.clock = clock
    }

    public func registerSettings(in settings: SettingsEngine) {
        HTTPSettings.register(in: settings)
        settings.register(Self.eventsKeepDays)
    }

    public func activate(in engine: Engine) async throws {
        let (events, clock, settings) = (self.events, self.clock, engine.settings)
        engine.jobs.register(Job(name: "flush_events", description: "Forget events older than events.keep_days.", defaultInterval: 3600) {
            let cutoff = clock().addingTimeInterval(-Double(settings[Self.eventsKeepDays]) * 86_400)
            return "\(try await events.deleteOlder(than: cutoff)) old events deleted"
        })
    }
}
