import Foundation
import ResetPressEngine
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// The `AuditStore` contract, and the writes that commit their audit records with them (settings,
/// auth codes, tokens, queue retries), on every backend.
@Suite struct AuditStoreConformanceTests {
    @Test(arguments: Backend.allCases)
    func authCodesTokensAndRetriesCommitTheirRecordOnlyWithTheirChange(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let actor = AuditActor(name: "token:ci", clientIP: "192.0.2.9")
            let hash = Data(repeating: 7, count: 32)
            let code = try await stores.authCodes.add(codeHash: hash, lastFour: "abcd", length: 20, role: "", expiresAt: nil, now: testTime(1), by: actor)
            await #expect(throws: StorageError.self) {
                _ = try await stores.authCodes.add(codeHash: hash, lastFour: "abcd", length: 20, role: "", expiresAt: nil, now: testTime(2), by: actor)
            }
            #expect(try await stores.authCodes.remove(id: code.id, now: testTime(3), by: actor))
            #expect(try await !stores.authCodes.remove(id: code.id, now: testTime(4), by: actor))
            let token = try await stores.apiTokens.add(name: "deploy", scopes: ["read"], hash: hash, expiresAt: nil, now: testTime(5), by: actor)
            #expect(try await stores.apiTokens.revoke(id: token.id, now: testTime(6), by: actor))
            #expect(try await !stores.apiTokens.revoke(id: token.id, now: testTime(7), by: actor))
            #expect(try await stores.outbox.retry(ids: nil, now: testTime(8), by: actor) == 0)
            #expect(try await stores.webhooks.retry(ids: [99], now: testTime(9), by: actor) == 0)
            _ = try await stores.outbox.retry(ids: nil, now: testTime(10), by: nil)

            let records = try await stores.audit.list(since: nil, limit: 20)
            #expect(records.map(\.action) == ["webhooks.retried", "mail.retried", "token.revoked", "token.added", "auth_code.removed", "auth_code.added"])
            #expect(records.map(\.at) == [9, 8, 6, 5, 3, 1].map { testTime($0) })
            #expect(records.allSatisfy { $0.actor == "token:ci" && $0.clientIP == "192.0.2.9" })
            #expect(records.last?.subject == "\(code.id)" && records.last?.detail == "…abcd")
            #expect(records[3].subject == "deploy" && records[3].detail == "#\(token.id) read")
        }
    }

    private func record(_ action: String, at offset: TimeInterval, by actor: String = "admin") -> AuditRecord {
        AuditRecord(at: testTime(offset), actor: AuditActor(name: actor, clientIP: "192.0.2.7"), action: action, subject: "s\(Int(offset))")
    }

    @Test(arguments: Backend.allCases)
    func recordsAreListedNewestFirstFromSinceAndDeletedByAge(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            try await stores.audit.record([record("a", at: 0), record("b", at: 60), record("c", at: 120, by: "token:deploy")])
            let all = try await stores.audit.list(since: nil, limit: 10)
            #expect(all.map(\.action) == ["c", "b", "a"])
            #expect(all.first == record("c", at: 120, by: "token:deploy"))
            #expect(try await stores.audit.list(since: testTime(60), limit: 10).map(\.action) == ["c", "b"])
            #expect(try await stores.audit.list(since: nil, limit: 1).map(\.action) == ["c"])
            #expect(try await stores.audit.deleteBefore(testTime(60)) == 1)
            #expect(try await stores.audit.list(since: nil, limit: 10).map(\.action) == ["c", "b"])
        }
    }

    @Test(arguments: Backend.allCases)
    func aSettingsWriteCommitsItsAuditRecordsWithIt(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            try await stores.settings.apply(["reset_password.mode": .string("store_only")], audit: [record("setting.changed", at: 0)])
            #expect(try await stores.settings.loadAll()["reset_password.mode"] == .string("store_only"))
            #expect(try await stores.audit.list(since: nil, limit: 10).map(\.action) == ["setting.changed"])
            try await stores.settings.apply(["reset_password.mode": nil])
            #expect(try await stores.audit.list(since: nil, limit: 10).count == 1)
        }
    }
}
