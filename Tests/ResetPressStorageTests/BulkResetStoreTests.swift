import Foundation
import Testing
@testable import ResetPressStorage

/// The bulk reset runs' record, the same on SQLite and in memory: per run, idempotent, by user id.
@Suite struct BulkResetStoreTests {
    static func stores() throws -> [any BulkResetStore] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-bulk-\(UUID().uuidString)")
        return [MemoryBulkResetStore(), try SQLiteDatabase(dataDirectory: folder).bulkResets]
    }

    @Test func recordsEachRunApartAndIgnoresRepeats() async throws {
        for store in try Self.stores() {
            let now = Date()
            #expect(try await store.sent(runID: "r1", among: [1, 2, 3]).isEmpty)
            try await store.markSent(runID: "r1", userID: 2, at: now)
            try await store.markSent(runID: "r1", userID: 3, at: now)
            try await store.markSent(runID: "r1", userID: 3, at: now)
            try await store.markSent(runID: "r2", userID: 1, at: now)
            #expect(try await store.sent(runID: "r1", among: [1, 2, 3, 4]) == [2, 3])
            #expect(try await store.sent(runID: "r2", among: [1, 2, 3]) == [1])
            #expect(try await store.sent(runID: "r1", among: []).isEmpty)
            #expect(try await store.count(runID: "r1") == 2)
            #expect(try await store.count(runID: "none") == 0)
        }
    }
}
