import Foundation
import ResetPressEngine
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// The `AuthCodeStore`, `JobStateStore` and `SettingsStore` contracts, checked against every backend.
@Suite struct SmallStoresConformanceTests {
    @Test(arguments: Backend.allCases)
    func authCodesAreListedOldestFirstAndRemovedOnce(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.authCodes
            let first = try await codes.add(codeHash: Data([1, 2, 3]), lastFour: "ab12", length: 3, role: "editor", expiresAt: testTime(3600), now: testTime())
            let second = try await codes.add(codeHash: Data([4, 5, 6]), lastFour: "cd34", length: 12, role: "", expiresAt: nil, now: testTime(1))
            #expect(first == AuthCodeRecord(id: first.id, codeHash: Data([1, 2, 3]), lastFour: "ab12", role: "editor", expiresAt: testTime(3600), createdAt: testTime(), length: 3))
            #expect(try await codes.all() == [first, second])
            #expect(first.isWeak && !second.isWeak)
            #expect(try await codes.remove(id: first.id, now: testTime(), by: nil))
            #expect(try await codes.remove(id: first.id, now: testTime(), by: nil) == false)
            #expect(try await codes.all() == [second])
        }
    }

    @Test(arguments: Backend.allCases)
    func theSameAuthCodeCannotBeAddedTwice(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let codes = stores.authCodes
            _ = try await codes.add(codeHash: Data([7]), lastFour: "0007", length: 8, role: "", expiresAt: nil, now: testTime())
            await #expect(throws: StorageError.duplicate("This auth code")) {
                _ = try await codes.add(codeHash: Data([7]), lastFour: "0007", length: 8, role: "admin", expiresAt: nil, now: testTime())
            }
            #expect(try await codes.all().count == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func jobRunsAreCountedByName(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let jobs = stores.jobStates
            #expect(try await jobs.all().isEmpty)
            try await jobs.recordRun(name: "send_mail", at: testTime(), status: "ok")
            try await jobs.recordRun(name: "flush_expired_password_resets", at: testTime(1), status: "ok")
            try await jobs.recordRun(name: "send_mail", at: testTime(60), status: "SMTP refused")
            #expect(try await jobs.all() == [
                JobState(name: "flush_expired_password_resets", lastRunAt: testTime(1), lastStatus: "ok", runs: 1),
                JobState(name: "send_mail", lastRunAt: testTime(60), lastStatus: "SMTP refused", runs: 2),
            ])
        }
    }

    @Test(arguments: Backend.allCases)
    func settingsApplyOverwritesAndDeletes(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let settings = stores.settings
            #expect(try await settings.loadAll().isEmpty)
            try await settings.apply([
                "site.name": .string("Ünïcode site"), "reset_password.max_attempts": .int(5),
                "reset_password.enabled": .bool(false), "http.trusted_proxies": .list(["10.0.0.0/8", "::1/128"]),
            ])
            try await settings.apply(["site.name": .string("Renamed"), "reset_password.enabled": nil, "never.stored": nil])
            try await settings.apply([:])
            #expect(try await settings.loadAll() == [
                "site.name": .string("Renamed"), "reset_password.max_attempts": .int(5),
                "http.trusted_proxies": .list(["10.0.0.0/8", "::1/128"]),
            ])
        }
    }
}
