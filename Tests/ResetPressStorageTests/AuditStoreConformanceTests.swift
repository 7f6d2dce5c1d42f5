import Foundation
import ResetPressEngine
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// The `AuditStore` contract, and settings writes that commit their audit records with them, on every backend.
@Suite struct AuditStoreConformanceTests {
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
