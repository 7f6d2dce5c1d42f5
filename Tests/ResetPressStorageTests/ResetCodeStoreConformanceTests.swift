import Foundation
import ResetPressStorage
import ResetPressStoreTestSupport
import ResetPressUsers
import Testing

/// The `ResetCodeStore` contract, checked against every backend.
@Suite struct ResetCodeStoreConformanceTests {
    /// A code found by its link hash (`byHash`, as codes stored before tokens named their user), or by its user.
    private func code(
        user: Int64 = 1, email: String = "ann@example.com", link: UInt8 = 1, at offset: TimeInterval = 0, lifetime: TimeInterval = 900,
        byHash: Bool = true
    ) -> NewResetCode {
        NewResetCode(
            userID: user, email: email, codeHash: Data(repeating: link &+ 100, count: 32), linkHash: Data(repeating: link, count: 32),
            createdAt: testTime(offset), expiresAt: testTime(offset + lifetime), requestIP: "192.0.2.1", tokensByHash: byHash)
    }

    @Test(arguments: Backend.allCases)
    func lookupsMadeAtOnceEachGetTheirOwnRequester(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            var users: [User] = []
            for index in 0..<20 {
                users.append(try await stores.users.add(NewUser(login: "u\(index)", email: "U\(index)@example.com", passwordHash: "h"), now: testTime()))
            }
            _ = try await stores.resetCodes.issue(code(user: users[3].id!, email: "U3@example.com", at: 30), mail: nil)
            let codes = stores.resetCodes
            let found = try await withThrowingTaskGroup(of: (Int, ResetRequester?).self) { group in
                for index in 0..<60 {
                    let email = index % 3 == 2 ? "nobody\(index)@example.com" : "u\(index % 20)@EXAMPLE.com"
                    group.addTask { (index, try await codes.requester(email: email)) }
                }
                return try await group.reduce(into: [Int: ResetRequester?]()) { $0[$1.0] = $1.1 }
            }
            for index in 0..<60 {
                let expected = index % 3 == 2 ? nil
                    : ResetRequester(user: users[index % 20], blockedUntil: nil, lastIssued: index % 20 == 3 ? testTime(30) : nil)
                #expect(found[index] == .some(expected), "lookup \(index)")
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func aRequesterComesWithTheirBlockAndCurrentCodeInOneRead(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let ann = try await stores.users.add(NewUser(login: "ann", email: "Ann@Example.com", passwordHash: "h"), now: testTime())
            let bob = try await stores.users.add(NewUser(login: "bob", email: "bob@example.com", passwordHash: "h"), now: testTime())
            #expect(try await codes.requester(email: "nobody@example.com") == nil)
            #expect(try await codes.requester(email: "ann@example.com") == ResetRequester(user: ann, blockedUntil: nil, lastIssued: nil))
            let id = try await codes.issue(code(user: ann.id!, at: 30), mail: nil)
            _ = try await codes.issue(code(user: bob.id!, email: "bob@example.com", link: 2, at: 60), mail: nil)
            #expect(try await codes.requester(email: "ANN@example.com") == ResetRequester(user: ann, blockedUntil: nil, lastIssued: testTime(30)))
            #expect(try await codes.cancel(id: id, userID: ann.id!, blockUntil: testTime(3600), now: testTime(90)))
            #expect(try await codes.requester(email: "ann@example.com") == ResetRequester(user: ann, blockedUntil: testTime(3600), lastIssued: nil))
            #expect(try await codes.requester(email: "bob@example.com") == ResetRequester(user: bob, blockedUntil: nil, lastIssued: testTime(60)))
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentIssuesEachCommitTheirCodeAndEffectsAndOneCodePerUserRemains(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            // Thirty users at once (PostgreSQL gathers them into batched statements).
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for user in 1...30 {
                    group.addTask {
                        let effects = ResetEffects(
                            mail: try testMail(to: "u\(user)@example.com"),
                            events: [ResetEvent(.request, at: testTime(), userID: Int64(user)), ResetEvent(.codeIssued, at: testTime(), userID: Int64(user))])
                        return try await codes.issue(self.code(user: Int64(user), email: "u\(user)@example.com", link: UInt8(user)), effects: effects)
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0.append($1) }
            }
            #expect(Set(ids).count == 30)
            for user in 1...30 {
                #expect(try await codes.current(linkHash: Data(repeating: UInt8(user), count: 32))?.userID == Int64(user))
            }
            #expect(try await stores.outbox.counts()[.queued] == 30)
            #expect(try await stores.events.counts(from: testTime(-1), to: testTime(1)) == [.request: 30, .codeIssued: 30])
            #expect(try await stores.events.events(userID: 7, limit: 10).map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.codeIssued, .request])

            // Ten at once for one user: each commits, one code remains, the user's only row.
            let again = try await withThrowingTaskGroup(of: Int64.self) { group in
                for link in 100..<110 {
                    group.addTask { try await codes.issue(self.code(user: 1, email: "u1@example.com", link: UInt8(link), at: 5), mail: nil) }
                }
                return try await group.reduce(into: [Int64]()) { $0.append($1) }
            }
            #expect(Set(again).count == 10)
            let current = try #require(try await codes.current(email: "u1@example.com"))
            #expect(again.contains(current.id) && (100..<110).contains(Int(current.linkHash[0])))
            #expect(try await codes.count() == 30)
        }
    }

    @Test(arguments: Backend.allCases)
    func deletingAUserDeletesTheirCodeBlockMailAndEventsAndNoOneElses(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let ann = try await stores.users.add(NewUser(login: "ann", email: "ann@example.com", passwordHash: "h"), now: testTime())
            let bob = try await stores.users.add(NewUser(login: "bob", email: "bob@example.com", passwordHash: "h"), now: testTime())
            for (user, link) in [(ann, UInt8(1)), (bob, UInt8(2))] {
                let id = try #require(user.id)
                var mail = try testMail(to: user.email)
                mail.userID = id
                _ = try await codes.issue(
                    code(user: id, email: user.email, link: link),
                    effects: ResetEffects(mail: mail, events: [ResetEvent(.codeIssued, at: testTime(), userID: id)]))
            }
            let annID = try #require(ann.id), bobID = try #require(bob.id)
            _ = try await codes.cancel(id: try #require(try await codes.current(email: "ann@example.com")).id, userID: annID, blockUntil: testTime(3600), now: testTime(1))

            #expect(try await codes.deleteUser(annID))
            #expect(try await stores.users.user(id: annID) == nil)
            #expect(try await codes.current(email: "ann@example.com") == nil)
            #expect(try await codes.blockedUntil(userID: annID) == nil)
            #expect(try await stores.events.events(userID: annID, limit: 10).isEmpty)
            #expect(try await stores.outbox.entries(userID: annID, limit: 10).isEmpty)
            #expect(try await stores.users.user(id: bobID) != nil)
            #expect(try await codes.current(email: "bob@example.com") != nil)
            #expect(try await stores.events.events(userID: bobID, limit: 10).count == 1)
            #expect(try await stores.outbox.entries(userID: bobID, limit: 10).count == 1)
            #expect(try await !codes.deleteUser(annID), "already gone")
        }
    }

    @Test(arguments: Backend.allCases)
    func theLatestExpiryBeforeATimeCountsOnlyCodesIssuedBeforeIt(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            #expect(try await codes.latestExpiry(issuedBefore: testTime(1000)) == nil)
            _ = try await codes.issue(code(user: 1, link: 1, at: 0, lifetime: 600), mail: nil)
            _ = try await codes.issue(code(user: 2, email: "bob@example.com", link: 2, at: 10, lifetime: 900), mail: nil)
            _ = try await codes.issue(code(user: 3, email: "cy@example.com", link: 3, at: 100, lifetime: 5000), mail: nil)
            #expect(try await codes.latestExpiry(issuedBefore: testTime(5)) == testTime(600))
            #expect(try await codes.latestExpiry(issuedBefore: testTime(100)) == testTime(910))
            #expect(try await codes.latestExpiry(issuedBefore: testTime(101)) == testTime(5100))
        }
    }

    @Test(arguments: Backend.allCases)
    func issuedCodeIsFoundByEmailLinkAndUser(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let id = try await codes.issue(code(), mail: nil)
            let expected = ResetCodeRecord(id: id, issued: code(), attempts: 0)
            #expect(try await codes.current(email: "ann@example.com") == expected)
            #expect(try await codes.current(linkHash: Data(repeating: 1, count: 32)) == expected)
            #expect(try await codes.lastIssued(userID: 1) == testTime())
            #expect(try await codes.current(email: "bob@example.com") == nil)
            #expect(try await codes.current(linkHash: Data(repeating: 9, count: 32)) == nil)
            #expect(try await codes.lastIssued(userID: 2) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func aCodeWhoseTokensNameTheirUserIsFoundByTheUserAndNotByItsHash(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let id = try await codes.issue(code(byHash: false), mail: nil)
            #expect(try await codes.current(userID: 1) == ResetCodeRecord(id: id, issued: code(byHash: false), attempts: 0))
            #expect(try await codes.current(linkHash: Data(repeating: 1, count: 32)) == nil)
            #expect(try await codes.current(userID: 2) == nil)
            // No index of its hash: another user's code may carry the same one.
            _ = try await codes.issue(code(user: 2, email: "bob@example.com", link: 1, byHash: false), mail: nil)
            #expect(try await codes.count() == 2)
            // A code found by hash replaces Bob's, and a code that names him replaces that one in turn.
            let byHash = try await codes.issue(code(user: 2, email: "bob@example.com", link: 3, at: 10), mail: nil)
            #expect(try await codes.current(linkHash: Data(repeating: 3, count: 32))?.id == byHash)
            #expect(try await codes.current(userID: 2)?.id == byHash)
            let named = try await codes.issue(code(user: 2, email: "bob@example.com", link: 3, at: 20, byHash: false), mail: nil)
            #expect(try await codes.current(linkHash: Data(repeating: 3, count: 32)) == nil)
            #expect(try await codes.current(userID: 2) == ResetCodeRecord(id: named, issued: code(user: 2, email: "bob@example.com", link: 3, at: 20, byHash: false), attempts: 0))
        }
    }

    @Test(arguments: Backend.allCases)
    func aCodeIsClaimedSpentRevokedAndDeletedOnlyAsItsUsersCode(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let ann = try await codes.issue(code(), mail: nil)
            _ = try await codes.issue(code(user: 2, email: "bob@example.com", link: 2), mail: nil)
            #expect(try await codes.claimAttempt(id: ann, userID: 2, maxAttempts: 5) == nil)
            #expect(try await codes.apply(ResetChange(.spend(id: ann, userID: 2, passwordHash: nil), now: testTime())) == .codeGone)
            #expect(try await codes.apply(ResetChange(.revoke(id: ann, userID: 2, blockUntil: testTime(60)), now: testTime())) == .codeGone)
            try await codes.delete(id: ann, userID: 2)
            #expect(try await codes.current(userID: 1) == ResetCodeRecord(id: ann, issued: code(), attempts: 0))
            #expect(try await codes.current(userID: 2)?.attempts == 0)
            #expect(try await codes.blockedUntil(userID: 2) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func issueReplacesTheUsersEarlierCode(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let first = try await codes.issue(code(link: 1), mail: nil)
            #expect(try await codes.claimAttempt(id: first, userID: 1, maxAttempts: 5)?.attempts == 1)
            let second = try await codes.issue(code(link: 2, at: 30), mail: nil)
            _ = try await codes.issue(code(user: 2, email: "bob@example.com", link: 3), mail: nil)
            #expect(first != second)
            #expect(try await codes.count() == 2)
            #expect(try await codes.current(email: "ann@example.com")?.id == second)
            #expect(try await codes.current(email: "ann@example.com")?.attempts == 0)
            #expect(try await codes.current(linkHash: Data(repeating: 1, count: 32)) == nil)
            #expect(try await codes.lastIssued(userID: 1) == testTime(30))
            #expect(try await codes.claimAttempt(id: first, userID: 1, maxAttempts: 5) == nil)
            // A user whose email changed: the new code is found by the new email only.
            let third = try await codes.issue(code(email: "ann.lee@example.com", link: 5, at: 60), mail: nil)
            #expect(try await codes.current(email: "ann@example.com") == nil)
            #expect(try await codes.current(email: "ann.lee@example.com")?.id == third)
            #expect(try await codes.count() == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func issueWithMailWritesBothAndAFailingIssueWritesNeither(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            _ = try await codes.issue(code(link: 1), mail: try testMail())
            #expect(try await stores.outbox.counts()[.queued] == 1)
            #expect(try await stores.outbox.list(status: nil, limit: 10).first?.createdAt == testTime())

            // Bob's new link hash equals Ann's: the write fails as a whole, so Bob keeps his old code.
            _ = try await codes.issue(code(user: 2, email: "bob@example.com", link: 2), mail: nil)
            await #expect(throws: StorageError.duplicate("A reset code with this link token")) {
                _ = try await codes.issue(code(user: 2, email: "bob@example.com", link: 1), mail: try testMail(to: "bob@example.com"))
            }
            #expect(try await stores.outbox.counts()[.queued] == 1)
            #expect(try await codes.current(email: "bob@example.com")?.linkHash == Data(repeating: 2, count: 32))
            #expect(try await codes.count() == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func claimAttemptCountsGuessesAndBurnsTheCode(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let id = try await codes.issue(code(), mail: nil)
            #expect(try await codes.claimAttempt(id: id, userID: 1, maxAttempts: 2)?.attempts == 1)
            #expect(try await codes.claimAttempt(id: id, userID: 1, maxAttempts: 2)?.attempts == 2)
            #expect(try await codes.count() == 1)
            #expect(try await codes.claimAttempt(id: id, userID: 1, maxAttempts: 2) == nil)
            #expect(try await codes.count() == 0)
            #expect(try await codes.claimAttempt(id: id, userID: 1, maxAttempts: 2) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentClaimsNeverExceedMaxAttempts(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let id = try await codes.issue(code(), mail: nil)
            let granted = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<20 { group.addTask { try await codes.claimAttempt(id: id, userID: 1, maxAttempts: 5)?.attempts } }
                var granted: [Int] = []
                for try await attempts in group { if let attempts { granted.append(attempts) } }
                return granted
            }
            #expect(granted.sorted() == [1, 2, 3, 4, 5])
            #expect(try await codes.current(email: "ann@example.com") == nil)
            #expect(try await codes.count() == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func consumeDeletesTheUsersCodesAndQueuesMailOnce(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let id = try await codes.issue(code(), mail: nil)
            _ = try await codes.issue(code(user: 2, email: "bob@example.com", link: 2), mail: nil)
            #expect(try await codes.consume(id: id, userID: 1, passwordHash: nil, mail: try testMail(kind: "password_changed"), now: testTime()))
            #expect(try await codes.current(email: "ann@example.com") == nil)
            #expect(try await codes.count() == 1)
            #expect(try await stores.outbox.list(status: .queued, limit: 10).map(\.kind) == ["password_changed"])

            #expect(try await codes.consume(id: id, userID: 1, passwordHash: nil, mail: try testMail(kind: "password_changed"), now: testTime()) == false)
            #expect(try await stores.outbox.counts()[.queued] == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func consumeSetsThePasswordHashInTheSameTransaction(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let ann = try await stores.users.add(NewUser(login: "ann", email: "ann@example.com", passwordHash: "old-hash"), now: testTime())
            let codes = stores.resetCodes
            let id = try await codes.issue(code(user: ann.id!), mail: nil)
            #expect(try await codes.consume(
                id: id, userID: ann.id!, passwordHash: "new-hash", mail: try testMail(kind: "password_changed"), now: testTime(600)))
            #expect(try await stores.users.user(id: ann.id!)?.passwordHash == "new-hash")
            #expect(try await stores.outbox.counts()[.queued] == 1)
            // Stamped with the caller's clock, not the machine's.
            #expect(try await stores.users.user(id: ann.id!)?.updatedAt == testTime(600))
            #expect(try await stores.outbox.list(status: .queued, limit: 1).first?.createdAt == testTime(600))
            // A spent code changes nothing, not even the hash.
            #expect(try await codes.consume(id: id, userID: ann.id!, passwordHash: "third-hash", mail: nil, now: testTime()) == false)
            #expect(try await stores.users.user(id: ann.id!)?.passwordHash == "new-hash")
        }
    }

    @Test(arguments: Backend.allCases)
    func consumeForAMissingUserWritesNothing(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let id = try await codes.issue(code(user: 77), mail: nil)
            await #expect(throws: UserDirectoryError.notFound(userID: 77)) {
                try await codes.consume(id: id, userID: 77, passwordHash: "new-hash", mail: try testMail(kind: "password_changed"), now: testTime())
            }
            #expect(try await codes.current(email: "ann@example.com")?.id == id)
            #expect(try await stores.outbox.counts()[.queued] == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func deleteAndDeleteExpiredRemoveCodes(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.resetCodes
            let ann = try await codes.issue(code(user: 1, link: 1, lifetime: 100), mail: nil)
            _ = try await codes.issue(code(user: 2, email: "bob@example.com", link: 2, lifetime: 200), mail: nil)
            _ = try await codes.issue(code(user: 3, email: "cy@example.com", link: 3, lifetime: 300), mail: nil)
            #expect(try await codes.deleteExpired(now: testTime(200)) == 1)
            #expect(try await codes.current(linkHash: Data(repeating: 1, count: 32)) == nil)
            #expect(try await codes.current(email: "bob@example.com") != nil)
            #expect(try await codes.deleteExpired(now: testTime(1000)) == 2)

            let again = try await codes.issue(code(link: 4), mail: nil)
            #expect(again != ann)
            try await codes.delete(id: again, userID: 1)
            try await codes.delete(id: again, userID: 1)
            #expect(try await codes.count() == 0)
        }
    }
}
