import Foundation
import Synchronization

/// The audit trail in memory, for tests and embedding without a database.
public final class MemoryAuditStore: AuditStore {
    private let records = Mutex<[AuditRecord]>([])

    public init() {}

    public func record(_ new: [AuditRecord]) async throws {
        append(new)
    }

    /// Adds `new` at once (for a store that writes the trail inside its own lock).
    package func append(_ new: [AuditRecord]) {
        records.withLock { $0.append(contentsOf: new) }
    }

    public func list(since: Date?, limit: Int) async throws -> [AuditRecord] {
        records.withLock { records in
            Array(records.enumerated().filter { record in since.map { record.element.at >= $0 } ?? true }
                .sorted { ($0.element.at, $0.offset) > ($1.element.at, $1.offset) }.prefix(limit).map(\.element))
        }
    }

    public func deleteBefore(_ date: Date) async throws -> Int {
        records.withLock { records in
            let before = records.count
            records.removeAll { $0.at < date }
            return before - records.count
        }
    }
}
