import Foundation
import ResetPressPostgres
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// The bulk reset runs' record on PostgreSQL (migration `v11-bulk-resets`), shared by every node.
@Suite struct PostgresBulkResetStoreTests {
    @Test func recordsEachRunApartAndIgnoresRepeatsAcrossNodes() async throws {
        let url = try await TestPostgresServer.shared.createDatabase()
        let one = try await PostgresDatabase.open(url: url, connectTimeout: testConnectTimeout)
        let two = try await PostgresDatabase.open(url: url, connectTimeout: testConnectTimeout)
        let storage = SiteStorage(postgres: one)
        #expect(storage.bulkResets is PostgresBulkResetStore)
        let now = Date()
        #expect(try await one.bulkResets.sent(runID: "r1", among: [1, 2, 3]).isEmpty)
        try await one.bulkResets.markSent(runID: "r1", userID: 2, at: now)
        try await two.bulkResets.markSent(runID: "r1", userID: 3, at: now)
        try await two.bulkResets.markSent(runID: "r1", userID: 3, at: now)
        try await one.bulkResets.markSent(runID: "r2", userID: 1, at: now)
        #expect(try await two.bulkResets.sent(runID: "r1", among: [1, 2, 3, 4]) == [2, 3])
        #expect(try await one.bulkResets.sent(runID: "r2", among: [1, 2, 3]) == [1])
        #expect(try await one.bulkResets.sent(runID: "r1", among: []).isEmpty)
        #expect(try await one.bulkResets.count(runID: "r1") == 2)
        #expect(try await two.bulkResets.count(runID: "none") == 0)
        await one.shutdown()
        await two.shutdown()
    }
}
