import Foundation
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage

/// The site's own always-on part: the `http.*` settings the server reads, the retention of the
/// events behind the dashboard and `resetpress stats` (`events.keep_days`, the hourly job
/// `flush_events`) and of the audit trail (`audit.keep_days`, the daily job `flush_audit`).
public struct SitePlugin: Plugin {
    public let id = "site"
    public let name = "Site"
    public let version = "1.0.0"
    public var isAlwaysOn: Bool { true }

    /// Days an event is kept; the retention job deletes older ones.
    public static let eventsKeepDays = SettingKey(
        "events.keep_days", default: 90, within: 1...3650,
        description: "Days the events behind the dashboard and `resetpress stats` are kept (no secret or email is in them).")

    /// Days an audit record is kept; the retention job deletes older ones.
    public static let auditKeepDays = SettingKey(
        "audit.keep_days", default: 365, within: 1...3650,
        description: "Days the audit trail (who changed settings, tokens, auth codes, who signed in, retried or started a bulk reset) is kept.")

    private let events: any EventStore
    private let audit: any AuditStore
    private let clock: @Sendable () -> Date

    /// The part over `events` and `audit`, whose retention counts back from `clock`.
    public init(events: any EventStore, audit: any AuditStore, clock: @escaping @Sendable () -> Date) {
        self.events = events
        self.audit = audit
        self.clock = clock
    }

    public func registerSettings(in settings: SettingsEngine) {
        HTTPSettings.register(in: settings)
        settings.register(Self.eventsKeepDays)
        settings.register(Self.auditKeepDays)
    }

    public func activate(in engine: Engine) async throws {
        let (events, audit, clock, settings) = (self.events, self.audit, self.clock, engine.settings)
        engine.jobs.register(Job(name: "flush_events", description: "Forget events older than events.keep_days.", defaultInterval: 3600) {
            let cutoff = clock().addingTimeInterval(-Double(settings[Self.eventsKeepDays]) * 86_400)
            return "\(try await events.deleteOlder(than: cutoff)) old events deleted"
        })
        engine.jobs.register(Job(name: "flush_audit", description: "Forget audit records older than audit.keep_days.", defaultInterval: 86_400) {
            let cutoff = clock().addingTimeInterval(-Double(settings[Self.auditKeepDays]) * 86_400)
            return "\(try await audit.deleteBefore(cutoff)) old audit records deleted"
        })
    }
}
