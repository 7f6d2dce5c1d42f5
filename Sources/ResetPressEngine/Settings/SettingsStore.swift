import Synchronization

/// Persists the settings written through the admin page, admin API and CLI.
///
/// Only the database layer of the settings is stored here: values pinned by the environment or
/// a file never are. Values are already validated when they arrive.
public protocol SettingsStore: Sendable {
    /// Every stored value by key. Keys of settings no longer registered are returned too; the
    /// engine ignores them.
    func loadAll() async throws -> [String: SettingValue]

    /// Applies a set of changes and adds `audit` to the audit trail, atomically: all of it or, on
    /// error, none. A nil value deletes the key (deleting an absent key is not an error); a value
    /// overwrites any earlier one.
    func apply(_ changes: [String: SettingValue?], audit: [AuditRecord]) async throws
}

extension SettingsStore {
    /// Applies a set of changes that no one has to account for (a migration's copy).
    public func apply(_ changes: [String: SettingValue?]) async throws {
        try await apply(changes, audit: [])
    }
}

/// A settings store in memory, for tests and embedding without a database.
public final class MemorySettingsStore: SettingsStore {
    private let values: Mutex<[String: SettingValue]>
    private let audit: MemoryAuditStore?

    /// Creates a store holding `values`, adding its writes' audit records to `audit` (nil keeps none).
    public init(_ values: [String: SettingValue] = [:], audit: MemoryAuditStore? = nil) {
        self.values = Mutex(values)
        self.audit = audit
    }

    public func loadAll() async throws -> [String: SettingValue] {
        values.withLock { $0 }
    }

    public func apply(_ changes: [String: SettingValue?], audit records: [AuditRecord]) async throws {
        values.withLock { values in
            for (key, value) in changes { values[key] = value }
            audit?.append(records)
        }
    }
}
