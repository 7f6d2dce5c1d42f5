import Foundation
import Logging
import Synchronization

/// Typed settings from four sources, highest first: environment, `settings/*.json`, database, default.
///
/// Reads come from an in-memory snapshot and never wait on I/O. A write is validated as a whole,
/// stored atomically, then published by swapping the snapshot, so a reader sees the old or the
/// new settings, never a mix. Writes to a value pinned by the environment or a file are refused
/// with a message naming the variable or file.
public final class SettingsEngine: Sendable {
    /// One change in a write.
    public enum Input: Sendable {
        /// Text as a person types it; parsed by the setting's kind.
        case text(String)
        /// A value in stored form (from JSON).
        case value(SettingValue)
        /// Remove the database value, falling back to the file, environment or default.
        case unset
    }

    private struct Layers: Sendable {
        var definitions: [String: SettingDefinition] = [:]
        var environment: [String: ResolvedSetting] = [:]
        var files: [String: ResolvedSetting] = [:]
        var database: [String: SettingValue] = [:]
        var rules: [SettingsRule] = []
        var families: [SettingFamily] = []

        /// The definition of `name`: registered, or a family member's (not yet registered).
        func definition(_ name: String) -> SettingDefinition? {
            definitions[name] ?? families.lazy.compactMap { $0.definition(named: name) }.first
        }
    }

    private let store: any SettingsStore
    private let environment: [String: String]
    private let settingsDirectory: URL?
    private let root: URL?
    private let hooks: HookRegistry
    private let layers = Mutex(Layers())
    @usableFromInline let current: Mutex<SettingsSnapshot>
    private let writeLock = AsyncLock()

    /// Creates an engine; call `load()` after every plugin has registered its settings.
    public init(
        store: any SettingsStore, environment: [String: String] = ProcessInfo.processInfo.environment,
        settingsDirectory: URL?, root: URL? = nil, hooks: HookRegistry
    ) {
        self.store = store
        self.environment = environment
        self.settingsDirectory = settingsDirectory
        self.root = root
        self.hooks = hooks
        self.current = Mutex(SettingsSnapshot(definitions: [:], resolved: [:]))
    }

    // MARK: - Registration

    /// Registers a setting; registering a key twice keeps the first definition.
    public func register<Value>(_ key: SettingKey<Value>) {
        register(key.definition)
    }

    /// Registers an untyped definition.
    public func register(_ definition: SettingDefinition) {
        layers.withLock { layers in
            if layers.definitions[definition.name] == nil { layers.definitions[definition.name] = definition }
        }
        publish()
    }

    /// Registers a family of settings (``SettingFamily``); its members found by the next `load()`
    /// (environment, files, database) or named by a write are registered then.
    public func register(_ family: SettingFamily) {
        layers.withLock { $0.families.append(family) }
    }

    /// Adds a rule checked on every write that touches one of its keys.
    public func addRule(_ rule: SettingsRule) {
        layers.withLock { $0.rules.append(rule) }
    }

    // MARK: - Reads

    /// The current snapshot.
    @inline(__always)
    public var snapshot: SettingsSnapshot { current.withLock { $0 } }

    /// The typed current value of a setting (read under the lock: no snapshot retain).
    @inlinable
    public subscript<Value>(_ key: SettingKey<Value>) -> Value { current.withLock { $0[key] } }

    /// Every setting with its shown value (secrets masked) and source, sorted by key.
    public func entries() -> [(definition: SettingDefinition, shown: String, source: SettingSource)] {
        let snapshot = self.snapshot
        return snapshot.allDefinitions.map { definition in
            let resolved = snapshot.resolved(definition.name)
            return (definition, definition.display(resolved?.value ?? definition.defaultValue), resolved?.source ?? .defaultValue)
        }
    }

    // MARK: - Loading

    /// Reads the environment, the files and the database. A bad file or variable throws
    /// `SettingsLoadError` naming it, and the settings in force stay as they were.
    public func load() async throws {
        var database = try await store.loadAll()
        let families = layers.withLock { $0.families }
        var definitions = layers.withLock { $0.definitions }
        // Family members named by the environment or the database become settings like the others.
        for variable in environment.keys where variable.hasPrefix("RESETPRESS_") {
            if let member = families.lazy.compactMap({ $0.definition(environmentVariable: variable) }).first, definitions[member.name] == nil {
                definitions[member.name] = member
            }
        }
        Self.addMembers(of: families, in: &database, to: &definitions)
        let environment = try readEnvironment(definitions)
        var files: [String: ResolvedSetting] = [:]
        if let settingsDirectory {
            for (key, entry) in try SettingsFiles.load(directory: settingsDirectory, definitions: definitions, families: families, root: root, trust: FileTrust(environment: self.environment)) {
                files[key] = ResolvedSetting(value: entry.value, source: .file(path: entry.path))
                if definitions[key] == nil { definitions[key] = families.lazy.compactMap { $0.definition(named: key) }.first }
            }
        }
        layers.withLock { layers in
            for (name, definition) in definitions where layers.definitions[name] == nil { layers.definitions[name] = definition }
            layers.environment = environment
            layers.files = files
            layers.database = database
        }
        publish()
    }

    /// Re-reads files and database (`SIGHUP`, `resetpress settings reload`), and fires
    /// `update_option` and `update_option_<key>` (origin `reload`) for each value in force that
    /// changed; returns those keys.
    @discardableResult
    public func reload() async throws -> [String] {
        try await reread { try await self.load() }
    }

    /// Re-reads only the database layer, as when another node wrote settings to a shared
    /// database; files and the environment stay as loaded. Fires the actions as `reload()` does,
    /// so every node sees another node's write as its own `update_option`; returns the changed keys.
    @discardableResult
    public func reloadStored() async throws -> [String] {
        try await reread {
            var database = try await self.store.loadAll()
            self.layers.withLock { layers in
                Self.addMembers(of: layers.families, in: &database, to: &layers.definitions)
                layers.database = database
            }
            self.publish()
        }
    }

    /// Runs `read` under the write lock, then fires the actions for what it changed.
    private func reread(_ read: @Sendable () async throws -> Void) async throws -> [String] {
        let updates = try await writeLock.withLock {
            let before = snapshot
            try await read()
            let after = snapshot
            return Self.updates(from: before, to: after, keys: after.allDefinitions.map(\.name), origin: .reload)
        }
        await fire(updates, context: .empty)
        return updates.map(\.key)
    }

    /// Registers the family members the database holds (under their one spelling) in `definitions`.
    private static func addMembers(
        of families: [SettingFamily], in database: inout [String: SettingValue], to definitions: inout [String: SettingDefinition]
    ) {
        for (key, value) in database where definitions[key] == nil {
            guard let member = families.lazy.compactMap({ $0.definition(named: key) }).first else { continue }
            database[key] = nil
            database[member.name] = value
            definitions[member.name] = definitions[member.name] ?? member
        }
    }

    private func readEnvironment(_ definitions: [String: SettingDefinition]) throws(SettingsLoadError) -> [String: ResolvedSetting] {
        var result: [String: ResolvedSetting] = [:]
        for definition in definitions.values {
            let variable = definition.environmentVariable
            guard let text = environment[variable] else { continue }
            switch definition.validate(text: text) {
            case .success(let value): result[definition.name] = ResolvedSetting(value: value, source: .environment(variable: variable))
            case .failure(let problem): throw SettingsLoadError(source: variable, key: definition.name, reason: problem.message)
            }
        }
        return result
    }

    /// Builds the snapshot from the layers and publishes it.
    private func publish() {
        let snapshot = layers.withLock { Self.resolve($0, database: $0.database) }
        current.withLock { $0 = snapshot }
    }

    private static func resolve(_ layers: Layers, database: [String: SettingValue]) -> SettingsSnapshot {
        var resolved: [String: ResolvedSetting] = [:]
        for (name, definition) in layers.definitions {
            if let pinned = layers.environment[name] ?? layers.files[name] {
                resolved[name] = pinned
            } else if let stored = database[name], case .success(let value) = definition.validate(stored) {
                resolved[name] = ResolvedSetting(value: value, source: .database)
            } else {
                resolved[name] = ResolvedSetting(value: definition.defaultValue, source: .defaultValue)
            }
        }
        return SettingsSnapshot(definitions: layers.definitions, resolved: resolved)
    }

    // MARK: - Writes

    /// Applies a set of changes wholly or not at all; returns the keys whose value changed.
    /// Unchanged values are no-ops. Fires `update_option` and `update_option_<key>` per change.
    /// With an `actor`, each change is recorded in the audit trail at `now`, in the write's own
    /// transaction, with its old and new values (a secret's only as changed).
    @discardableResult
    public func set(
        _ changes: [String: Input], context: HookContext = .empty, actor: AuditActor? = nil, at now: Date = Date()
    ) async throws -> [String] {
        let updates = try await writeLock.withLock { try await write(changes, audit: actor.map { ($0, now) }) }
        await fire(updates, context: context)
        return updates.map(\.key)
    }

    private func fire(_ updates: [OptionUpdate], context: HookContext) async {
        for update in updates {
            await hooks.doAction("update_option", update, context: context)
            await hooks.doAction("update_option_\(update.key)", update, context: context)
        }
    }

    private func write(_ changes: [String: Input], audit: (actor: AuditActor, at: Date)?) async throws -> [OptionUpdate] {
        var layers = self.layers.withLock { $0 }
        let before = snapshot
        var messages: [SettingsMessage] = []
        var database = layers.database
        var stored: [String: SettingValue?] = [:]
        var members: [SettingDefinition] = []
        for (named, input) in changes.sorted(by: { $0.key < $1.key }) {
            guard let definition = layers.definition(named) else {
                messages.append(SettingsMessage(key: named, message: "Unknown setting '\(named)'. See `resetpress settings list`."))
                continue
            }
            // A family member is written under its one spelling, and registered with the write.
            let key = definition.name
            if layers.definitions[key] == nil {
                layers.definitions[key] = definition
                members.append(definition)
            }
            if let pinned = layers.environment[key] ?? layers.files[key] {
                messages.append(SettingsMessage(key: key, message: Self.pinnedMessage(key, pinned.source)))
                continue
            }
            let result: Result<SettingValue, SettingProblem>?
            switch input {
            case .text(let text): result = definition.validate(text: text)
            case .value(let value): result = definition.validate(value)
            case .unset: result = nil
            }
            switch result {
            case .success(let value):
                database[key] = value
                stored[key] = .some(value)
            case .failure(let problem):
                messages.append(SettingsMessage(key: key, message: "\(key): \(problem.message)", code: problem.code))
            case nil:
                database[key] = nil
                stored[key] = .some(nil)
            }
        }
        let candidate = Self.resolve(layers, database: database)
        let touched = Set(changes.keys).union(members.map(\.name))
        for rule in layers.rules where !rule.keys.isDisjoint(with: touched) {
            messages.append(contentsOf: rule.check(candidate))
        }
        guard messages.isEmpty else { throw SettingsWriteError(messages: messages) }

        let effective = stored.filter { key, value in value != layers.database[key] }
        guard !effective.isEmpty else { return [] }
        let updates = Self.updates(from: before, to: candidate, keys: Array(effective.keys), origin: .write)
        let records: [AuditRecord] = audit.map { audit in
            updates.map { update -> AuditRecord in
                let secret = layers.definition(update.key)?.isSecret ?? true
                return AuditRecord(
                    at: audit.at, actor: audit.actor, action: "setting.changed", subject: update.key,
                    detail: secret ? "(secret) changed" : "\(Self.audited(update.oldValue)) -> \(Self.audited(update.newValue))")
            }
        } ?? []
        try await store.apply(effective, audit: records)
        self.layers.withLock { current in
            for member in members where current.definitions[member.name] == nil { current.definitions[member.name] = member }
            current.database = database
        }
        publish()
        return updates
    }

    /// A value as the audit trail keeps it: a long one (a template) by its length only.
    private static func audited(_ value: String) -> String {
        value.count <= 120 && !value.contains("\n") ? value : "(\(value.count) characters)"
    }

    private static func pinnedMessage(_ key: String, _ source: SettingSource) -> String {
        switch source {
        case .environment(let variable): "\(key) is pinned by the environment variable \(variable); unset it to change the value here."
        case .file(let path): "\(key) is pinned by \(path); edit that file to change it."
        case .database, .defaultValue: "\(key) cannot be changed here."
        }
    }
}
