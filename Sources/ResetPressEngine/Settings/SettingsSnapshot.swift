/// Where a setting's current value comes from, highest first.
public enum SettingSource: Sendable, Equatable, CustomStringConvertible {
    /// Pinned by `RESETPRESS_<KEY>`.
    case environment(variable: String)
    /// Pinned by a file under `settings/`.
    case file(path: String)
    /// Written by the admin page, admin API or CLI.
    case database
    /// The registered default.
    case defaultValue

    /// Whether writes through the admin page and CLI are refused.
    public var isPinned: Bool {
        switch self {
        case .environment, .file: true
        case .database, .defaultValue: false
        }
    }

    public var description: String {
        switch self {
        case .environment(let variable): "env \(variable)"
        case .file(let path): "file \(path)"
        case .database: "database"
        case .defaultValue: "default"
        }
    }
}

/// A setting's value together with its source.
public struct ResolvedSetting: Sendable, Equatable {
    public let value: SettingValue
    public let source: SettingSource

    @usableFromInline init(value: SettingValue, source: SettingSource) {
        self.value = value
        self.source = source
    }
}

/// An immutable view of every setting; a write replaces the whole snapshot at once.
public final class SettingsSnapshot: Sendable {
    @usableFromInline let slots: [ResolvedSetting?]
    private let definitions: [String: SettingDefinition]

    init(definitions: [String: SettingDefinition], resolved: [String: ResolvedSetting]) {
        var slots = [ResolvedSetting?](repeating: nil, count: (definitions.values.map(\.slot).max() ?? -1) + 1)
        for (name, setting) in resolved {
            if let slot = definitions[name]?.slot { slots[slot] = setting }
        }
        self.slots = slots
        self.definitions = definitions
    }

    /// The typed value of a registered setting (its default when unregistered or unreadable).
    @inlinable
    public subscript<Value>(_ key: SettingKey<Value>) -> Value {
        let slot = key.definition.slot
        guard slot < slots.count, let resolved = slots[slot] else { return key.defaultValue }
        return Value(settingValue: resolved.value) ?? key.defaultValue
    }

    /// The value and source of a setting by name.
    public func resolved(_ name: String) -> ResolvedSetting? {
        guard let slot = definitions[name]?.slot, slot < slots.count else { return nil }
        return slots[slot]
    }

    /// The registered definition of a setting.
    public func definition(_ name: String) -> SettingDefinition? {
        definitions[name]
    }

    /// Every registered definition, sorted by key.
    public var allDefinitions: [SettingDefinition] {
        definitions.values.sorted { $0.name < $1.name }
    }
}
