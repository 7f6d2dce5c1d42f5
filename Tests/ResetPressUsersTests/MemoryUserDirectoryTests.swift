import Foundation
import Testing

import ResetPressUsers

@Suite struct MemoryUserDirectoryTests {
    @Test func findsUsersByEmailIgnoringCase() async throws {
        let memory = MemoryUserDirectory()
        let directory: any UserDirectory = memory
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let ann = try await memory.add(NewUser(login: "ann", email: "Ann@Example.com"), at: created)
        #expect(ann.id == 1)
        #expect(ann.createdAt == created && ann.updatedAt == created)
        #expect(ann.passwordHash == PasswordHasher.unusableHash)
        #expect(try await directory.user(byEmail: "ann@example.COM") == ann)
        #expect(try await directory.user(byEmail: "bob@example.com") == nil)
        await #expect(throws: UserDirectoryError.duplicateEmail("ANN@example.com")) {
            try await memory.add(NewUser(login: "ann2", email: "ANN@example.com"))
        }
    }

    @Test func setsPasswordHashesAndReportsUnknownIDs() async throws {
        let directory = MemoryUserDirectory()
        let bob = try await directory.add(NewUser(login: "bob", email: "bob@example.com"), at: .distantPast)
        let id = try #require(bob.id)
        try await directory.setPasswordHash("$wp$2y$04$new", forUserID: id, at: Date())
        let updated = try #require(await directory.user(id: id))
        #expect(updated.passwordHash == "$wp$2y$04$new")
        #expect(updated.updatedAt > bob.updatedAt)
        #expect(await directory.allUsers == [updated])
        await #expect(throws: UserDirectoryError.notFound(userID: 99)) {
            try await directory.setPasswordHash("x", forUserID: 99, at: Date())
        }
    }

    @Test func usersRoundTripThroughJSON() throws {
        let user = User(id: 7, NewUser(login: "cy", email: "cy@example.com", displayName: "Cy"),
                        createdAt: Date(timeIntervalSince1970: 1_000))
        let decoded = try JSONDecoder().decode(User.self, from: JSONEncoder().encode(user))
        #expect(decoded == user)
    }
}
