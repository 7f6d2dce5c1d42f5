import Foundation
import Logging
import ResetPressEngine

extension Engine {
    /// An engine over a site's storage: its settings, job states, job lock and settings feed.
    public convenience init(
        root: URL, storage: SiteStorage, plugins: [any Plugin],
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "resetpress")
    ) {
        self.init(
            root: root, settingsStore: storage.settings, jobStates: storage.jobStates, jobLock: storage.jobLock,
            settingsFeed: storage.settingsFeed, plugins: plugins, environment: environment, logger: logger)
    }
}
