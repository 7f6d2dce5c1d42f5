import Synchronization

/// Persists the settings written through the admin page, admin API and CLI.
///
/// Only the database layer of the settings is stored here: values pinned by the environment or
/// a file never are. Values are already validated when they arrive.
public protocol SettingsStore: Sendable {
    /// Every stored value by key. Keys of settings no longer registered are returned too; the
    /// engine ignores them.
    func loadAll() async throws -> [String: SettingValue]

    /// Applies a set of changes atomically: all of them or, on error, none. A nil value deletes
    /// the key (deleting an absent key is not an error); a value overwrites any earlier one.
    func apply(_ changes: [String: SettingValue?]) async throws
}

/// A settings store in memory, for tests and embedding without a database.
public final class MemorySettingsStore: SettingsStore {
    private let values: Mutex<[String: SettingValue]>

    /// Creates a store holding `values`.
    public init(_ values: [String: SettingValue] = [:]) {
        self.values = Mutex(values)
    }

    public func loadAll() async throws -> [String: SettingValue] {
        values.withLock { $0 }
    }

    public func apply(_ changes: [String: SettingValue?]) async throws {
        values.withLock { values in
            for (key, value) in changes { values[key] = value }
        }
    }
}
