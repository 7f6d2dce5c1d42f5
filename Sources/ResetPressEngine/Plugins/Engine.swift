import Foundation
import Logging
import Synchronization

/// The plugin engine: settings, hooks and the plugins that use them, for one site.
public final class Engine: Sendable {
    /// The site's settings.
    public let settings: SettingsEngine
    /// The site's filters and actions.
    public let hooks: HookRegistry
    /// Recurring jobs that plugins register.
    public let jobs: JobScheduler
    /// Every plugin known to the engine, active or not.
    public let plugins: [any Plugin]
    /// The site root: `settings/`, `templates/` and `hooks/` are found under it.
    public let root: URL
    public let logger: Logger
    private let activeIDs = Mutex<Set<String>>([])

    /// Creates an engine for the site at `root`; call `start()` before use.
    public init(
        root: URL, settingsStore: any SettingsStore, jobStates: any JobStateStore = MemoryJobStateStore(), plugins: [any Plugin],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "resetpress")
    ) {
        self.root = root
        self.plugins = plugins
        self.logger = logger
        self.hooks = HookRegistry(logger: logger)
        self.settings = SettingsEngine(
            store: settingsStore, environment: environment,
            settingsDirectory: root.appendingPathComponent("settings"), root: root, hooks: hooks)
        self.jobs = JobScheduler(settings: settings, store: jobStates, logger: logger)
    }

    /// The folder of executable hooks.
    public var hooksDirectory: URL { root.appendingPathComponent("hooks") }

    /// Registers every plugin's settings, loads them, activates the active plugins and reads `hooks/`.
    public func start() async throws {
        CoreSettings.register(in: settings)
        for plugin in plugins {
            settings.register(plugin.activeKey)
            plugin.registerSettings(in: settings)
        }
        try await settings.load()
        for plugin in plugins where settings[plugin.activeKey] {
            try await plugin.activate(in: self)
            activeIDs.withLock { _ = $0.insert(plugin.id) }
        }
        loadExecutableHooks()
    }

    /// Whether a plugin was activated at start.
    public func isActive(_ pluginID: String) -> Bool {
        activeIDs.withLock { $0.contains(pluginID) }
    }

    /// Re-reads the settings files and database, and the `hooks/` folder (`SIGHUP`).
    public func reload() async throws {
        try await settings.reload()
        loadExecutableHooks()
    }

    /// Replaces the registered executable hooks with those now under `hooks/`.
    public func loadExecutableHooks() {
        hooks.removeExecutables()
        let timeout = Duration.milliseconds(settings[CoreSettings.hookTimeoutMilliseconds])
        for hook in ExecutableHook.discover(in: hooksDirectory, timeout: timeout) {
            hooks.addExecutable(hook)
        }
    }
}
