import Foundation
import Logging
import Synchronization

/// The plugin engine: settings, hooks and the plugins that use them, for one site.
///
/// Made first, so that each plugin is made whole over its settings, hooks and jobs; `start(plugins:)`
/// then registers the plugins' settings, loads them and activates the active plugins.
public final class Engine: Sendable {
    /// The site's settings.
    public let settings: SettingsEngine
    /// The site's filters and actions.
    public let hooks: HookRegistry
    /// Recurring jobs that plugins register.
    public let jobs: JobScheduler
    /// Every plugin the engine started, active or not.
    public var plugins: [any Plugin] { started.withLock { $0 } }
    /// The site root: `settings/`, `templates/` and `hooks/` are found under it.
    public let root: URL
    public let logger: Logger
    /// How far the site's own files are trusted (`RESETPRESS_STRICT_MODES`).
    public let fileTrust: FileTrust
    private let started = Mutex<[any Plugin]>([])
    private let activeIDs = Mutex<Set<String>>([])
    private let settingsFeed: (any SettingsChangeFeed)?
    private let feedListener = Mutex<Task<Void, Never>?>(nil)

    /// Creates an engine for the site at `root`; call `start(plugins:)` before use.
    ///
    /// Nodes sharing a database pass its `jobLock`, so a job runs on one node at a time, and its
    /// `settingsFeed`, so a settings write on any node reaches this one's snapshot.
    public init(
        root: URL, settingsStore: any SettingsStore, jobStates: any JobStateStore = MemoryJobStateStore(),
        jobLock: any JobLock = LocalJobLock(), settingsFeed: (any SettingsChangeFeed)? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "resetpress")
    ) {
        self.root = root
        self.logger = logger
        self.settingsFeed = settingsFeed
        self.fileTrust = FileTrust(environment: environment)
        self.hooks = HookRegistry(logger: logger)
        self.settings = SettingsEngine(
            store: settingsStore, environment: environment,
            settingsDirectory: root.appendingPathComponent("settings"), root: root, hooks: hooks)
        self.jobs = JobScheduler(settings: settings, store: jobStates, lock: jobLock, logger: logger)
    }

    /// The folder of executable hooks.
    public var hooksDirectory: URL { root.appendingPathComponent("hooks") }

    /// Registers every plugin's settings, loads them, activates the active plugins (in order: the
    /// always-on parts first), reads `hooks/` and checks that no other user may write `templates/`
    /// (see ``FileTrust``). Call once.
    /// With a settings feed, listens on it first (so no write after the load is missed) and
    /// re-reads the stored settings at each change until `stop()` or the feed ends.
    public func start(plugins: [any Plugin] = []) async throws {
        started.withLock { $0 = plugins }
        CoreSettings.register(in: settings)
        for plugin in plugins {
            if !plugin.isAlwaysOn { settings.register(plugin.activeKey) }
            plugin.registerSettings(in: settings)
        }
        let changes = try await settingsFeed?.changes()
        try await settings.load()
        if let changes { listen(to: changes) }
        for plugin in plugins where plugin.isAlwaysOn || settings[plugin.activeKey] {
            try await plugin.activate(in: self)
            activeIDs.withLock { _ = $0.insert(plugin.id) }
        }
        loadExecutableHooks()
        try checkTemplates()
    }

    /// Stops following the settings feed; call before closing the storage.
    public func stop() {
        feedListener.withLock { $0 }?.cancel()
    }

    /// Re-reads the stored settings whenever the feed reports a write (`[]`, a missed stretch, too).
    private func listen(to changes: AsyncStream<[String]>) {
        let settings = self.settings
        let logger = self.logger
        let task = Task {
            for await keys in changes {
                do {
                    try await settings.reloadStored()
                    logger.debug("stored settings re-read after a write", metadata: ["keys": "\(keys.joined(separator: ","))"])
                } catch {
                    logger.warning("could not re-read the settings after a change", metadata: ["error": "\(error)"])
                }
            }
        }
        feedListener.withLock { $0 = task }
    }

    /// Whether a plugin was activated at start.
    public func isActive(_ pluginID: String) -> Bool {
        activeIDs.withLock { $0.contains(pluginID) }
    }

    /// Re-reads the settings files and database, and the `hooks/` folder, and checks `templates/`
    /// again (`SIGHUP`). An untrusted settings file or template throws, naming it.
    public func reload() async throws {
        try await settings.reload()
        loadExecutableHooks()
        try checkTemplates()
    }

    /// Throws ``UntrustedFileError`` when a file or folder under `templates/` (or a folder above it,
    /// up to the site root) may be written by another user.
    public func checkTemplates() throws(UntrustedFileError) {
        if let problem = fileTrust.problem(inTree: root.appendingPathComponent("templates"), site: root) {
            throw UntrustedFileError(reason: problem)
        }
    }

    /// Replaces the registered executable hooks with those now under `hooks/`; a hook another user
    /// may change is listed as refused and logged once, never run.
    public func loadExecutableHooks() {
        hooks.removeExecutables()
        let timeout = Duration.milliseconds(settings[CoreSettings.hookTimeoutMilliseconds])
        let discovery = ExecutableHook.discover(in: hooksDirectory, root: root, timeout: timeout, trust: fileTrust)
        for hook in discovery.hooks {
            hooks.addExecutable(hook)
        }
        for refusal in discovery.refused {
            hooks.addRefused(refusal)
            logger.warning("executable hook not run: another user may change it", metadata: [
                "hook": "\(refusal.hook.hookName)", "path": "\(refusal.hook.path)", "reason": "\(refusal.reason)",
            ])
        }
    }
}

/// A template, or a folder holding one, that another user may write: the site does not start.
public struct UntrustedFileError: Error, Sendable, CustomStringConvertible {
    /// The file and the command that fixes it.
    public let reason: String

    public var description: String { "templates: \(reason)" }
}
