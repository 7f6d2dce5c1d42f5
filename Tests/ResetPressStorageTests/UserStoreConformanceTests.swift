import Foundation
import ResetPressStorage
import ResetPressStoreTestSupport
import ResetPressUsers
import Testing

/// The `UserStore` contract, checked against every backend.
@Suite struct UserStoreConformanceTests {
    private func ann(email: String = "Ann@Example.com", login: String = "ann") -> NewUser {
        NewUser(login: login, email: email, displayName: "Ann A.", nickname: "annie", firstName: "Ann", lastName: "Able", passwordHash: "$2y$12$hash")
    }

    @Test(arguments: Backend.allCases)
    func addedUserIsFoundByEmailAndLoginIgnoringCaseAndById(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let users = stores.users
            let added = try await users.add(ann(), now: testTime())
            #expect(added.id != nil)
            #expect(added.createdAt == testTime() && added.updatedAt == testTime())
            #expect(try await users.user(byEmail: "ann@example.COM") == added)
            #expect(try await users.user(byLogin: "ANN") == added)
            let id = try #require(added.id)
            #expect(try await users.user(id: id) == added)
            #expect(try await users.user(byEmail: "bob@example.com") == nil)
            #expect(try await users.user(byEmail: "ann@example.co") == nil)
            #expect(try await users.user(id: 999) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func duplicateEmailOrLoginIgnoringCaseIsRefused(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let users = stores.users
            _ = try await users.add(ann(), now: testTime())
            await #expect(throws: StorageError.duplicate("A user with email ANN@example.com")) {
                _ = try await users.add(ann(email: "ANN@example.com", login: "other"), now: testTime())
            }
            await #expect(throws: StorageError.duplicate("A user with login Ann")) {
                _ = try await users.add(ann(email: "other@example.com", login: "Ann"), now: testTime())
            }
            #expect(try await users.count() == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func setPasswordHashReplacesTheHashAndRejectsUnknownIds(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let users = stores.users
            let added = try await users.add(ann(), now: testTime())
            let id = try #require(added.id)
            let later = testTime().addingTimeInterval(60)
            try await users.setPasswordHash("$2b$12$new", forUserID: id, at: later)
            try await users.setPasswordHash("$2b$12$new", forUserID: id, at: later)
            let changed = try #require(try await users.user(id: id))
            #expect(changed.passwordHash == "$2b$12$new")
            #expect(added.updatedAt == testTime() && changed.updatedAt == later)
            await #expect(throws: UserDirectoryError.notFound(userID: 42)) {
                try await users.setPasswordHash("x", forUserID: 42, at: testTime())
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func listPagesInIdOrder(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let users = stores.users
            for index in 0..<5 {
                _ = try await users.add(NewUser(login: "u\(index)", email: "u\(index)@example.com"), now: testTime())
            }
            #expect(try await users.count() == 5)
            #expect(try await users.list(offset: 1, limit: 2).map(\.login) == ["u1", "u2"])
            #expect(try await users.list(offset: 4, limit: 10).map(\.login) == ["u4"])
            #expect(try await users.list(offset: 0, limit: 0).isEmpty)
            #expect(try await users.list(offset: -3, limit: -1).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func upsertAddsAndUpdatesByEmailIgnoringCase(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let users = stores.users
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
    }

    @Test(arguments: Backend.allCases)
    func upsertTwiceGivesTheSameTable(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let users = stores.users
            let batch = (0..<300).map { NewUser(login: "user\($0)", email: "User\($0)@Example.com", displayName: "User \($0)") }
            let first = try await users.upsert(batch, now: testTime())
            let before = try await users.list(offset: 0, limit: 1000)
            let second = try await users.upsert(batch, now: testTime(3600))
            let after = try await users.list(offset: 0, limit: 1000)
            #expect(first.added == 300 && first.updated == 0)
            #expect(second.added == 0 && second.updated == 300)
            #expect(before == after)
        }
    }

    @Test(arguments: Backend.allCases)
    func upsertOfTheSameEmailTwiceInOneBatchKeepsTheLast(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let users = stores.users
            let batch = [NewUser(login: "dee", email: "dee@example.com"), NewUser(login: "dee", email: "DEE@example.com", displayName: "Dee")]
            let result = try await users.upsert(batch, now: testTime())
            #expect(result.added == 1 && result.updated == 1)
            #expect(try await users.user(byLogin: "dee")?.displayName == "Dee")
            #expect(try await users.count() == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func upsertWithALoginOfAnotherEmailWritesNothing(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let users = stores.users
            _ = try await users.add(ann(), now: testTime())
            let batch = [NewUser(login: "carl", email: "carl@example.com"), NewUser(login: "ANN", email: "someone@example.com")]
            await #expect(throws: StorageError.duplicate("A user with login ANN")) {
                _ = try await users.upsert(batch, now: testTime())
            }
            #expect(try await users.count() == 1)
            #expect(try await users.user(byLogin: "carl") == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func localeRoundTripsThroughAddListAndUpsert(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let users = stores.users
            var french = ann()
            french.locale = "fr-CA"
            let added = try await users.add(french, now: testTime())
            #expect(added.locale == "fr-CA")
            #expect(try await users.user(byEmail: "ann@example.com")?.locale == "fr-CA")
            #expect(try await users.list(offset: 0, limit: 10).map(\.locale) == ["fr-CA"])
            french.locale = "fr"
            let result = try await users.upsert([french, NewUser(login: "bob", email: "bob@example.com")], now: testTime())
            #expect(result.added == 1 && result.updated == 1)
            #expect(try await users.user(byLogin: "ann")?.locale == "fr")
            #expect(try await users.user(byLogin: "bob")?.locale == "")
        }
    }
}
