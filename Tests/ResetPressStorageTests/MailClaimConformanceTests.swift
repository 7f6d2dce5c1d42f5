import Foundation
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// `ResetCodeStore.applyClaimingMail`: a change's mail inserted already claimed, on every backend.
@Suite struct MailClaimConformanceTests {
    private func code(user: Int64, link: UInt8) -> NewResetCode {
        NewResetCode(
            userID: user, email: "user\(user)@example.com", codeHash: Data([UInt8(truncatingIfNeeded: user), 9]), linkHash: Data([link, 1, 2]),
            createdAt: testTime(), expiresAt: testTime(900), requestIP: "127.0.0.1")
    }

    private let claim = QueueClaim(owner: "node-a", leaseUntil: testTime(60))

    @Test(arguments: Backend.allCases)
    func aClaimedMailIsInsertedSendingForItsOwnerOrQueuedWhenTheStoreReturnsNoID(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let mail = try testMail(to: "user1@example.com")
            let change = ResetChange(.issue(code(user: 1, link: 1)), effects: ResetEffects(mail: mail, mailClaim: claim), now: testTime())
            let applied = try await stores.resetCodes.applyClaimingMail(change)
            guard case .issued = applied.outcome else { Issue.record("not issued: \(applied.outcome)"); return }
            let entry = try #require(try await stores.outbox.list(status: nil, limit: 10).first)
            if let id = applied.claimedMailID {
                #expect(entry == OutboxEntry(id: id, payload: mail, now: testTime(), claim: claim))
                #expect(entry.status == .sending && entry.attempts == 1 && entry.claimedBy == "node-a" && entry.leaseUntil == testTime(60))
                #expect(try await stores.outbox.claimDue(limit: 10, now: testTime(1), owner: "node-b", leaseUntil: testTime(70)).isEmpty,
                        "another sender does not take a live claim")
            } else {
                #expect(backend == .postgres, "SQLite and memory insert the mail claimed")
                #expect(entry.status == .queued && entry.attempts == 0 && entry.claimedBy == nil)
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func aClaimedMailIsTakenOverOnceItsLeaseEndsOrItsOwnerRestarts(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            for user in Int64(1)...2 {
                let change = ResetChange(
                    .issue(code(user: user, link: UInt8(user))), effects: ResetEffects(mail: try testMail(to: "user\(user)@example.com"), mailClaim: claim),
                    now: testTime())
                _ = try await stores.resetCodes.applyClaimingMail(change)
            }
            #expect(try await stores.outbox.requeueAbandoned(now: testTime(30), owner: nil) == 0 || backend == .postgres, "the lease still runs")
            #expect(try await stores.outbox.requeueAbandoned(now: testTime(30), owner: "node-a") == 2 || backend == .postgres)
            #expect(try await stores.outbox.claimDue(limit: 10, now: testTime(31), owner: "node-b", leaseUntil: testTime(90)).count == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func applyQueuesTheMailUnclaimedWhateverTheEffectsSay(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let change = ResetChange(
                .issue(code(user: 1, link: 1)), effects: ResetEffects(mail: try testMail(to: "user1@example.com"), mailClaim: claim), now: testTime())
            _ = try await stores.resetCodes.apply(change)
            let entry = try #require(try await stores.outbox.list(status: nil, limit: 10).first)
            #expect(entry.status == .queued && entry.attempts == 0 && entry.claimedBy == nil && entry.leaseUntil == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func aSpendThatFindsItsCodeGoneInsertsNoMailAndReturnsNoID(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let spend = ResetChange(
                .spend(id: 999, userID: 1, passwordHash: nil), effects: ResetEffects(mail: try testMail(), mailClaim: claim), now: testTime())
            let applied = try await stores.resetCodes.applyClaimingMail(spend)
            #expect(applied.outcome == .codeGone && applied.claimedMailID == nil)
            #expect(try await stores.outbox.list(status: nil, limit: 10).isEmpty)
        }
    }
}
