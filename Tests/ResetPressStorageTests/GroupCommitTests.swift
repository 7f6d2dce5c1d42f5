import Foundation
import ResetPressStoreTestSupport
import Testing
@testable import ResetPressStorage

@Suite struct GroupCommitTests {
    private func code(user: Int64, link: UInt8) -> NewResetCode {
        NewResetCode(
            userID: user, email: "user\(user)@example.com", codeHash: Data([UInt8(truncatingIfNeeded: user), 9]), linkHash: Data([link, 1, 2]),
            createdAt: testTime(), expiresAt: testTime(900), requestIP: "127.0.0.1", tokensByHash: true)
    }

    @Test func concurrentIssuesAllCommitWithTheirMail() async throws {
        let database = try makeTemporaryDatabase()
        let store = database.resetCodes
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for user in 1...60 {
                group.addTask { try await store.issue(code(user: Int64(user), link: UInt8(user)), mail: try testMail(to: "user\(user)@example.com")) }
            }
            return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
        }
        #expect(ids.count == 60)
        #expect(try await store.count() == 60)
        #expect(try await database.outbox.counts()[.queued] == 60)
        #expect(try database.integrityCheck() == ["ok"])
    }

    @Test func aFailingWriteInABatchFailsAloneAndLeavesNoTrace() async throws {
        let database = try makeTemporaryDatabase()
        let store = database.resetCodes
        _ = try await store.issue(code(user: 1, link: 200), mail: nil)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for user in 2...30 {
                // User 15 reuses user 1's link hash: a UNIQUE violation inside the shared transaction.
                let link: UInt8 = user == 15 ? 200 : UInt8(user)
                group.addTask { (try? await store.issue(code(user: Int64(user), link: link), mail: try testMail())) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { !$0 }.count == 1)
        #expect(try await store.count() == 29)
        #expect(try await database.outbox.counts()[.queued] == 28)
    }
}
