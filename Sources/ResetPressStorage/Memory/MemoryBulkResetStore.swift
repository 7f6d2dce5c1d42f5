import Foundation
import Synchronization

/// Bulk reset runs in memory, for tests and embedding.
public final class MemoryBulkResetStore: BulkResetStore {
    private let runs = Mutex<[String: Set<Int64>]>([:])

    public init() {}

    public func sent(runID: String, among userIDs: [Int64]) async throws -> Set<Int64> {
        let done = runs.withLock { $0[runID] ?? [] }
        return Set(userIDs.filter(done.contains))
    }

    public func markSent(runID: String, userID: Int64, at date: Date) async throws {
        runs.withLock { _ = $0[runID, default: []].insert(userID) }
    }

    public func count(runID: String) async throws -> Int {
        runs.withLock { $0[runID]?.count ?? 0 }
    }
}
