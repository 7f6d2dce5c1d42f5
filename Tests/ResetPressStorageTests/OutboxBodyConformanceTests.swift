import Foundation
import ResetPressMail
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// What the outbox keeps of a body, and for how long, checked against every backend.
@Suite struct OutboxBodyConformanceTests {
    static let sealer = InstallSecret(bytes: Data(repeating: 9, count: 32)).mailSealer()

    @Test(arguments: Backend.allCases)
    func sealedBodiesRoundTripAndOpenOnlyUnderTheirKey(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let plain = try testMail()
            let mail = try plain.sealed(with: Self.sealer)
            _ = try await stores.outbox.enqueue(mail, now: testTime())
            let entry = try #require(try await stores.outbox.list(status: nil, limit: 10).first)
            #expect(entry.recipients == ["ann@example.com"] && entry.subject == "Your code" && entry.body == mail.body)
            guard case .sealed(let data) = entry.body else { Issue.record("not sealed: \(String(describing: entry.body))"); return }
            #expect(try Self.sealer.open(data) == plain.body?.plainMessage)
            #expect(throws: (any Error).self) { try InstallSecret(bytes: Data(repeating: 8, count: 32)).mailSealer().open(data) }
        }
    }

    @Test(arguments: Backend.allCases)
    func sendingDeletesEveryBodyAndFailingDeletesSealedOnesKeepingTheMetadata(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            let sentSealed = try await outbox.enqueue(try testMail(to: "a@example.com").sealed(with: Self.sealer), now: testTime())
            let sentPlain = try await outbox.enqueue(try testMail(kind: "password_changed", to: "b@example.com"), now: testTime())
            let failedSealed = try await outbox.enqueue(try testMail(to: "c@example.com").sealed(with: Self.sealer), now: testTime())
            let failedPlain = try await outbox.enqueue(try testMail(kind: "password_changed", to: "d@example.com"), now: testTime())
            _ = try await outbox.claimDue(limit: 10, now: testTime())
            try await outbox.markSent(id: sentSealed, at: testTime(1))
            try await outbox.markSent(id: sentPlain, at: testTime(1))
            try await outbox.markFailed(id: failedSealed, error: "550 no")
            try await outbox.markFailed(id: failedPlain, error: "550 no")

            let byID = Dictionary(uniqueKeysWithValues: try await outbox.list(status: nil, limit: 10).map { ($0.id, $0) })
            #expect(byID[sentSealed]?.body == nil && byID[sentPlain]?.body == nil && byID[failedSealed]?.body == nil)
            #expect(byID[failedPlain]?.body?.plainMessage != nil, "a notice carries no secret and stays retryable")
            #expect(byID[sentSealed]?.recipients == ["a@example.com"] && byID[sentSealed]?.subject == "Your code" && byID[sentSealed]?.kind == "reset_code")
            #expect(byID[failedSealed]?.recipients == ["c@example.com"] && byID[failedSealed]?.lastError == "550 no")
            // Only a failed entry that still has a body can go out again.
            #expect(try await outbox.retry(ids: [failedSealed], now: testTime(2)) == 0)
            #expect(try await outbox.retry(ids: nil, now: testTime(2)) == 1)
            #expect(try await outbox.claimDue(limit: 10, now: testTime(2)).map(\.id) == [failedPlain])
        }
    }

    @Test(arguments: Backend.allCases)
    func deleteFinishedRemovesOnlySentAndFailedEntriesOlderThanTheCutoff(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            let oldSent = try await outbox.enqueue(try testMail(), now: testTime())
            let oldFailed = try await outbox.enqueue(try testMail(), now: testTime())
            let oldSending = try await outbox.enqueue(try testMail(), now: testTime())
            _ = try await outbox.claimDue(limit: 10, now: testTime())
            try await outbox.markSent(id: oldSent, at: testTime(1))
            try await outbox.markFailed(id: oldFailed, error: "550 no")
            let newSent = try await outbox.enqueue(try testMail(), now: testTime(100))
            _ = try await outbox.claimDue(limit: 10, now: testTime(100))
            try await outbox.markSent(id: newSent, at: testTime(101))
            let oldQueued = try await outbox.enqueue(try testMail(), now: testTime(1))

            #expect(try await outbox.deleteFinished(before: testTime(100)) == 2)
            #expect(Set(try await outbox.list(status: nil, limit: 10).map(\.id)) == [oldSending, oldQueued, newSent])
            #expect(try await outbox.deleteFinished(before: testTime(100)) == 0)
            #expect(try await outbox.deleteFinished(before: testTime(101)) == 1)
            #expect(try await outbox.counts() == [.queued: 1, .sending: 1, .sent: 0, .failed: 0])
        }
    }

    @Test(arguments: Backend.allCases)
    func sealPlainBodiesSealsQueuedAndSendingMailOfTheGivenKindsOnly(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            let sending = try await outbox.enqueue(try testMail(), now: testTime())
            _ = try await outbox.claimDue(limit: 10, now: testTime())
            let queuedMail = try testMail()
            let queued = try await outbox.enqueue(queuedMail, now: testTime(1))
            let notice = try await outbox.enqueue(try testMail(kind: "password_changed"), now: testTime(1))
            let alreadySealed = try await outbox.enqueue(try testMail().sealed(with: Self.sealer), now: testTime(1))

            #expect(try await outbox.sealPlainBodies(kinds: ["reset_code"]) { try Self.sealer.seal($0) } == 2)
            #expect(try await outbox.sealPlainBodies(kinds: ["reset_code"]) { try Self.sealer.seal($0) } == 0)
            let byID = Dictionary(uniqueKeysWithValues: try await outbox.list(status: nil, limit: 10).map { ($0.id, $0) })
            for id in [sending, queued, alreadySealed] {
                guard case .sealed(let data) = byID[id]?.body else { Issue.record("entry \(id) not sealed"); continue }
                #expect(try Self.sealer.open(data) == queuedMail.body?.plainMessage)
            }
            #expect(byID[notice]?.body?.plainMessage != nil)
            #expect(byID[sending]?.status == .sending)
        }
    }
}
