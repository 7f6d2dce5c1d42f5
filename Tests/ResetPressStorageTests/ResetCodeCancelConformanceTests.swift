import Foundation
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// The cancel part of the `ResetCodeStore` contract ("that wasn't me"), checked against every backend.
@Suite struct ResetCodeCancelConformanceTests {
    /// A code found by its hashes, as codes stored before tokens named their user are.
    private func code(user: Int64 = 1, email: String = "ann@example.com", token: UInt8 = 1, cancel: Bool = true, at offset: TimeInterval = 0) -> NewResetCode {
        NewResetCode(
            userID: user, email: email, codeHash: Data(repeating: token &+ 100, count: 32), linkHash: Data(repeating: token, count: 32),
            createdAt: testTime(offset), expiresAt: testTime(offset + 900), requestIP: "192.0.2.1",
            cancelHash: cancel ? Data(repeating: token &+ 200, count: 32) : nil, tokensByHash: true)
    }

    @Test(arguments: Backend.allCases)
    func theCancelHashFindsItsCode(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let id = try await codes.issue(code(), mail: nil)
            _ = try await codes.issue(code(user: 2, email: "bob@example.com", token: 2, cancel: false), mail: nil)
            _ = try await codes.issue(code(user: 3, email: "cy@example.com", token: 3, cancel: false), mail: nil)
            let found = try await codes.current(cancelHash: Data(repeating: 201, count: 32))
            #expect(found?.id == id)
            #expect(found?.cancelHash == Data(repeating: 201, count: 32))
            #expect(try await codes.current(email: "bob@example.com")?.cancelHash == nil)
            #expect(try await codes.current(cancelHash: Data(repeating: 202, count: 32)) == nil)
            // A newer code replaces the cancel token with the code.
            _ = try await codes.issue(code(token: 4, at: 30), mail: nil)
            #expect(try await codes.current(cancelHash: Data(repeating: 201, count: 32)) == nil)
            #expect(try await codes.current(cancelHash: Data(repeating: 204, count: 32)) != nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func aCancelHashIsUnique(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            _ = try await stores.resetCodes.issue(code(), mail: nil)
            var bob = code(user: 2, email: "bob@example.com", token: 2)
            bob.cancelHash = Data(repeating: 201, count: 32)
            await #expect(throws: StorageError.duplicate("A reset code with this cancel token")) {
                _ = try await stores.resetCodes.issue(bob, mail: nil)
            }
            #expect(try await stores.resetCodes.count() == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func cancelDeletesTheUsersCodesAndRecordsTheBlock(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let id = try await codes.issue(code(), mail: nil)
            _ = try await codes.issue(code(user: 2, email: "bob@example.com", token: 2), mail: nil)
            #expect(try await codes.blockedUntil(userID: 1) == nil)
            #expect(try await codes.cancel(id: id, userID: 1, blockUntil: testTime(3600), now: testTime()))
            #expect(try await codes.current(email: "ann@example.com") == nil)
            #expect(try await codes.current(cancelHash: Data(repeating: 201, count: 32)) == nil)
            #expect(try await codes.count() == 1)
            #expect(try await codes.blockedUntil(userID: 1) == testTime(3600))
            #expect(try await codes.blockedUntil(userID: 2) == nil)
            // A spent token changes nothing, not even the block.
            #expect(try await codes.cancel(id: id, userID: 1, blockUntil: testTime(7200), now: testTime()) == false)
            #expect(try await codes.blockedUntil(userID: 1) == testTime(3600))
        }
    }

    @Test(arguments: Backend.allCases)
    func aBlockOutlivesCodesKeepsTheLaterEndAndIsFlushedOnceOver(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let first = try await codes.issue(code(), mail: nil)
            #expect(try await codes.cancel(id: first, userID: 1, blockUntil: testTime(3600), now: testTime()))
            let second = try await codes.issue(code(token: 2, at: 10), mail: nil)
            #expect(try await codes.cancel(id: second, userID: 1, blockUntil: testTime(600), now: testTime()))
            #expect(try await codes.blockedUntil(userID: 1) == testTime(3600))
            let third = try await codes.issue(code(token: 3, at: 20), mail: nil)
            #expect(try await codes.consume(id: third, userID: 1, passwordHash: nil, mail: nil, now: testTime()))
            #expect(try await codes.blockedUntil(userID: 1) == testTime(3600))

            #expect(try await codes.deleteExpired(now: testTime(3000)) == 0)
            #expect(try await codes.blockedUntil(userID: 1) == testTime(3600))
            #expect(try await codes.deleteExpired(now: testTime(4000)) == 0)
            #expect(try await codes.blockedUntil(userID: 1) == nil)
        }
    }
}
