import Foundation
import ResetPressEngine

/// An ``AuthCodeStore`` in this process's memory: for tests, examples and hosts without storage.
///
/// Codes are unique by their keyed hash; ids start at 1 and are never reused. No clock: the only
/// time it keeps, `createdAt`, is passed in.
public actor MemoryAuthCodeStore: AuthCodeStore {
    private var codes: [AuthCodeRecord] = []
    private var lastID: Int64 = 0

    /// Where its changes' audit records go (nil keeps none).
    private let audit: MemoryAuditStore?

    /// Creates a store with no codes, recording its audited changes in `audit`.
    public init(audit: MemoryAuditStore? = nil) {
        self.audit = audit
    }

    public func add(codeHash: Data, lastFour: String, length: Int, role: String, expiresAt: Date?, now: Date, by actor: AuditActor?) throws -> AuthCodeRecord {
        guard !codes.contains(where: { $0.codeHash == codeHash }) else { throw StorageError.duplicate("This auth code") }
        lastID += 1
        let record = AuthCodeRecord(
            id: lastID, codeHash: codeHash, lastFour: lastFour, role: role, expiresAt: expiresAt, createdAt: now, length: length)
        codes.append(record)
        if let actor { audit?.append([.authCodeAdded(record, by: actor)]) }
        return record
    }

    public func all() -> [AuthCodeRecord] {
        codes.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    public func remove(id: Int64, now: Date, by actor: AuditActor?) -> Bool {
        guard let index = codes.firstIndex(where: { $0.id == id }) else { return false }
        codes.remove(at: index)
        if let actor { audit?.append([.authCodeRemoved(id: id, at: now, by: actor)]) }
        return true
    }
}
