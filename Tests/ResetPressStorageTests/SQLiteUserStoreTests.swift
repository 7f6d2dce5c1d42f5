import Foundation
import ResetPressStoreTestSupport
import ResetPressUsers
import Testing
@testable import ResetPressStorage

/// The SQLite-only user store test: its behaviour on both backends is `UserStoreConformanceTests`.
@Suite struct SQLiteUserStoreTests {
    let users: SQLiteUserStore

    init() throws {
        users = try makeTemporaryDatabase().users
    }

    @Test func upsertOfOneHundredThousandUsersTakesSeconds() async throws {
        let batch = (0..<100_000).map { NewUser(login: "login\($0)", email: "person\($0)@example.com", passwordHash: "$2y$10$abcdefghijklmnopqrstuv") }
        let clock = ContinuousClock()
        let added = try await clock.measure { _ = try await users.upsert(batch, now: testTime()) }
        let updated = try await clock.measure { _ = try await users.upsert(batch, now: testTime(1)) }
        #expect(try await users.count() == 100_000)
        // A sanity bound (seconds, not minutes) that holds on a loaded machine; speed is the benchmark's job.
        #expect(added < .seconds(60) && updated < .seconds(60), "insert \(added), update \(updated)")
    }
}
