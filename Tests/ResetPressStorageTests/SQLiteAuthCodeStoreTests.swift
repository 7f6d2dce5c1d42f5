import Foundation
import Testing
@testable import ResetPressStorage

@Suite struct SQLiteAuthCodeStoreTests {
    let codes: SQLiteAuthCodeStore

    init() throws {
        codes = try makeTemporaryDatabase().authCodes
    }

    @Test func addedCodesAreListedOldestFirst() async throws {
        let first = try await codes.add(codeHash: Data([1, 2, 3]), lastFour: "ab12", role: "editor", expiresAt: testTime(3600), now: testTime())
        let second = try await codes.add(codeHash: Data([4, 5, 6]), lastFour: "cd34", role: "", expiresAt: nil, now: testTime(1))
        #expect(first == AuthCodeRecord(id: first.id, codeHash: Data([1, 2, 3]), lastFour: "ab12", role: "editor", expiresAt: testTime(3600), createdAt: testTime()))
        #expect(try await codes.all() == [first, second])
    }

    @Test func theSameCodeCannotBeAddedTwice() async throws {
        _ = try await codes.add(codeHash: Data([7]), lastFour: "0007", role: "", expiresAt: nil, now: testTime())
        await #expect(throws: StorageError.duplicate("This auth code")) {
            _ = try await codes.add(codeHash: Data([7]), lastFour: "0007", role: "admin", expiresAt: nil, now: testTime())
        }
        #expect(try await codes.all().count == 1)
    }

    @Test func removeDeletesByIdOnce() async throws {
        let code = try await codes.add(codeHash: Data([8]), lastFour: "0008", role: "", expiresAt: nil, now: testTime())
        #expect(try await codes.remove(id: code.id))
        #expect(try await codes.remove(id: code.id) == false)
        #expect(try await codes.all().isEmpty)
    }
}
