import Foundation
import ResetPressUsers
import Testing
@testable import ResetPressStorage

@Suite struct SQLiteUserStoreTests {
    let users: SQLiteUserStore

    init() throws {
        users = try makeTemporaryDatabase().users
    }

    private func ann(email: String = "Ann@Example.com", login: String = "ann") -> NewUser {
        NewUser(login: login, email: email, displayName: "Ann A.", nickname: "annie", firstName: "Ann", lastName: "Able", passwordHash: "$2y$12$hash")
    }

    @Test func addedUserIsFoundByEmailAndLoginIgnoringCaseAndById() async throws {
        let added = try await users.add(ann(), now: testTime())
        #expect(added.id != nil)
        #expect(added.createdAt == testTime() && added.updatedAt == testTime())
        #expect(try await users.user(byEmail: "ann@example.COM") == added)
        #expect(try await users.user(byLogin: "ANN") == added)
        let id = try #require(added.id)
        #expect(try await users.user(id: id) == added)
        #expect(try await users.user(byEmail: "bob@example.com") == nil)
        #expect(try await users.user(id: 999) == nil)
    }

    @Test func duplicateEmailIgnoringCaseIsRefused() async throws {
        _ = try await users.add(ann(), now: testTime())
        await #expect(throws: StorageError.duplicate("A user with email ANN@example.com")) {
            _ = try await users.add(ann(email: "ANN@example.com", login: "other"), now: testTime())
        }
        #expect(try await users.count() == 1)
    }

    @Test func duplicateLoginIgnoringCaseIsRefused() async throws {
        _ = try await users.add(ann(), now: testTime())
        await #expect(throws: StorageError.duplicate("A user with login Ann")) {
            _ = try await users.add(ann(email: "other@example.com", login: "Ann"), now: testTime())
        }
    }

    @Test func setPasswordHashReplacesTheHashAndRejectsUnknownIds() async throws {
        let added = try await users.add(ann(), now: testTime())
        let id = try #require(added.id)
        try await users.setPasswordHash("$2b$12$new", forUserID: id)
        try await users.setPasswordHash("$2b$12$new", forUserID: id)
        let changed = try #require(try await users.user(id: id))
        #expect(changed.passwordHash == "$2b$12$new")
        #expect(changed.updatedAt > added.updatedAt)
        await #expect(throws: UserDirectoryError.notFound(userID: 42)) {
            try await users.setPasswordHash("x", forUserID: 42)
        }
    }

    @Test func listPagesInIdOrder() async throws {
        for index in 0..<5 {
            _ = try await users.add(NewUser(login: "u\(index)", email: "u\(index)@example.com"), now: testTime())
        }
        #expect(try await users.count() == 5)
        #expect(try await users.list(offset: 1, limit: 2).map(\.login) == ["u1", "u2"])
        #expect(try await users.list(offset: 4, limit: 10).map(\.login) == ["u4"])
        #expect(try await users.list(offset: 0, limit: 0).isEmpty)
    }

    @Test func upsertAddsAndUpdatesByEmailIgnoringCase() async throws {
        let existing = try await users.add(ann(), now: testTime())
        let changed = NewUser(login: "ann", email: "ann@example.com", displayName: "Ann B.", passwordHash: "$P$Bhash")
        let result = try await users.upsert([changed, NewUser(login: "bob", email: "bob@example.com")], now: testTime(60))
        #expect(result.added == 1 && result.updated == 1)
        let id = try #require(existing.id)
        let ann = try #require(try await users.user(id: id))
        #expect(ann.email == "ann@example.com" && ann.displayName == "Ann B." && ann.nickname == "" && ann.passwordHash == "$P$Bhash")
        #expect(ann.createdAt == testTime() && ann.updatedAt == testTime(60))
        #expect(try await users.count() == 2)
    }

    @Test func upsertTwiceGivesTheSameTable() async throws {
        let batch = (0..<50).map { NewUser(login: "user\($0)", email: "User\($0)@Example.com", displayName: "User \($0)") }
        let first = try await users.upsert(batch, now: testTime())
        let before = try await users.list(offset: 0, limit: 100)
        let second = try await users.upsert(batch, now: testTime(3600))
        let after = try await users.list(offset: 0, limit: 100)
        #expect(first.added == 50 && first.updated == 0)
        #expect(second.added == 0 && second.updated == 50)
        #expect(before == after)
    }

    @Test func upsertWithALoginOfAnotherEmailWritesNothing() async throws {
        _ = try await users.add(ann(), now: testTime())
        let batch = [NewUser(login: "carl", email: "carl@example.com"), NewUser(login: "ANN", email: "someone@example.com")]
        await #expect(throws: StorageError.duplicate("A user with login ANN")) {
            _ = try await users.upsert(batch, now: testTime())
        }
        #expect(try await users.count() == 1)
        #expect(try await users.user(byLogin: "carl") == nil)
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
