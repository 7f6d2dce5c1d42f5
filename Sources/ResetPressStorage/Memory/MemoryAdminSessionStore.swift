import Foundation

/// An ``AdminSessionStore`` in this process's memory: for tests, examples and a single node.
///
/// Like the database stores it keeps only the SHA-256 of each session id. An actor: each method
/// is one atomic step. No clock: every method that needs the time is passed `now`.
public actor MemoryAdminSessionStore: AdminSessionStore {
    /// A stored session and its pending notices.
    struct Entry {
        var record: AdminSessionRecord
        var notices: [AdminNotice] = []
    }

    /// The sessions by id hash.
    private(set) var entries: [Data: Entry] = [:]

    /// Creates a store with no sessions.
    public init() {}

    /// Makes room on a copy and keeps it only once the record is in, so a duplicate deletes nothing.
    public func insert(_ record: AdminSessionRecord, capacity: Int, now: Date) throws {
        var kept = entries.filter { !Self.expiredByLifetime($0.value.record, now: now) }
        let evictable = kept.values.map(\.record).sorted { (!$0.isSignedIn ? 0 : 1, $0.lastSeen) < (!$1.isSignedIn ? 0 : 1, $1.lastSeen) }
        for victim in evictable.prefix(max(0, kept.count - max(1, capacity) + 1)) { kept[victim.idHash] = nil }
        guard kept[record.idHash] == nil else { throw StorageError.duplicate("This admin session") }
        kept[record.idHash] = Entry(record: record)
        entries = kept
    }

    public func touch(idHash: Data, idleTimeout: TimeInterval, passwordFingerprint: Data, now: Date) -> AdminSessionRecord? {
        guard let record = entries[idHash]?.record,
            Self.isLive(record, idleTimeout: idleTimeout, now: now),
            !record.isSignedIn || record.passwordFingerprint == passwordFingerprint
        else { return nil }
        let touched = AdminSessionRecord(
            idHash: idHash, csrfToken: record.csrfToken, isSignedIn: record.isSignedIn, passwordFingerprint: record.passwordFingerprint,
            createdAt: record.createdAt, lastSeen: now)
        entries[idHash]?.record = touched
        return touched
    }

    public func remove(idHash: Data) -> Bool {
        entries.removeValue(forKey: idHash) != nil
    }

    public func appendNotice(_ notice: AdminNotice, idHash: Data) {
        entries[idHash]?.notices.append(notice)
    }

    public func takeNotices(idHash: Data) -> [AdminNotice] {
        defer { entries[idHash]?.notices = [] }
        return entries[idHash]?.notices ?? []
    }

    public func count() -> Int {
        entries.count
    }

    public func deleteExpired(idleTimeout: TimeInterval, now: Date) -> Int {
        let before = entries.count
        entries = entries.filter { Self.isLive($0.value.record, idleTimeout: idleTimeout, now: now) }
        return before - entries.count
    }

    /// Whether `record` outlived `AdminSessionPolicy.anonymousLifetime` (anonymous) or `absoluteLifetime` at `now`.
    private static func expiredByLifetime(_ record: AdminSessionRecord, now: Date) -> Bool {
        let lifetime = record.isSignedIn ? AdminSessionPolicy.absoluteLifetime : AdminSessionPolicy.anonymousLifetime
        return record.createdAt <= now.addingTimeInterval(-lifetime)
    }

    /// Whether `record` is live at `now` by its lifetime and, signed in, by `idleTimeout` (not its fingerprint).
    private static func isLive(_ record: AdminSessionRecord, idleTimeout: TimeInterval, now: Date) -> Bool {
        !expiredByLifetime(record, now: now) && (!record.isSignedIn || record.lastSeen > now.addingTimeInterval(-idleTimeout))
    }
}
