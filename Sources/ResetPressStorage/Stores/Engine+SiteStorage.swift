import Foundation
import Logging
import ResetPressEngine

extension Engine {
    /// An engine over a site's storage: its settings, job states, job lock and settings feed.
    /// Rate-limit counters (per-IP limits, admin sign-in), in a shared database or in memory, are
    /// swept by the job `flush_rate_limits`, whichever plugins are active.
    public convenience init(
        root: URL, storage: SiteStorage,
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "resetpress")
    ) {
        self.init(
            root: root, settingsStore: storage.settings, jobStates: storage.jobStates, jobLock: storage.jobLock,
            settingsFeed: storage.settingsFeed, environment: environment, logger: logger)
        let rateLimits = storage.rateLimits
        jobs.register(Job(
            name: "flush_rate_limits", description: "Delete ended rate-limit windows.", defaultInterval: 300
        ) {
            "\(try await rateLimits.deleteExpired(now: Date())) ended rate-limit windows deleted"
        })
    }
}
