import Foundation
import ResetPressEngine
@testable import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// The single-node side of the storage wiring: in-memory counters, the in-process job lock,
/// the storage URL and how it is read before the database opens.
@Suite struct StorageWiringTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-wiring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("settings"), withIntermediateDirectories: true)
        return url
    }

    @Test func memoryCountersLimitPerWindowAndForgetEndedWindows() async throws {
        let store = MemoryRateLimitStore()
        let minute = { (second: Double) in testTime(40 + second) }  // testTime(40) starts a minute
        var results: [Int?] = []
        for _ in 0..<4 {
            results.append(try await store.admit("ip:192.0.2.1", limit: 3, now: minute(15)))
        }
        #expect(results == [nil, nil, nil, 45])
        #expect(try await store.admit("ip:192.0.2.2", limit: 3, now: minute(15)) == nil)
        #expect(try await store.admit("ip:192.0.2.1", limit: 3, now: minute(59)) == 1)
        #expect(try await store.admit("ip:192.0.2.1", limit: 3, now: minute(60)) == nil)
        #expect(try await store.admit("ip:192.0.2.1", limit: 0, now: minute(61)) == nil)
        #expect(try await store.hit(key: "k", windowSeconds: 0, now: minute(61)) == 1)
        #expect(try await store.deleteExpired(now: minute(120)) == 4)
        #expect(try await store.hit(key: "ip:192.0.2.1", windowSeconds: 60, now: minute(121)) == 1)
    }

    @Test func theLocalJobLockExcludesTheSameNameOnlyAndReleasesOnThrow() async throws {
        struct Failure: Error {}
        let lock = LocalJobLock()
        let inner = try await lock.withLock("a") { () async throws -> [Int?] in
            [try await lock.withLock("a") { 1 }, try await lock.withLock("b") { 2 }]
        }
        #expect(inner == [nil, 2])
        await #expect(throws: Failure.self) { try await lock.withLock("a") { () async throws -> Int in throw Failure() } }
        #expect(try await lock.withLock("a") { 3 } == 3)
    }

    @Test func storageLocationsParseAndHidePasswords() throws {
        let data = URL(fileURLWithPath: "/srv/site/var")
        #expect(try StorageLocation("", dataDirectory: data) == .sqlite(path: "/srv/site/var/resetpress.sqlite"))
        #expect(try StorageLocation("sqlite:/tmp/x.sqlite", dataDirectory: data) == .sqlite(path: "/tmp/x.sqlite"))
        let postgres = try StorageLocation("postgres://rp:s3cret@db:5432/site", dataDirectory: data)
        #expect(postgres.backend == "postgres")
        #expect(postgres.description == "postgres://rp:***@db:5432/site")
        #expect(throws: StorageLocationError.self) { try StorageLocation("mysql://rp:s3cret@db/site", dataDirectory: data) }
        #expect(throws: StorageLocationError.self) { try StorageLocation("sqlite:", dataDirectory: data) }
        let error = StorageLocationError(text: "mongo://rp:s3cret@db/x", reason: "no.")
        #expect(!error.description.contains("s3cret"))
    }

    @Test func theStorageURLComesFromTheEnvironmentThenTheFilesOnly() throws {
        let root = try Self.folder()
        let data = root.appendingPathComponent("var")
        #expect(try StorageLocation.configured(root: root, dataDirectory: data, environment: [:]) == .sqlite(path: data.path + "/resetpress.sqlite"))
        try Data(#"{"site": {"name": "Other keys are not checked here"}, "storage": {"url": "sqlite:/tmp/a.sqlite"}}"#.utf8)
            .write(to: root.appendingPathComponent("settings/10-site.json"))
        try Data(#"{"storage.url": "postgres://rp@db/site"}"#.utf8).write(to: root.appendingPathComponent("settings/20-storage.json"))
        #expect(try StorageLocation.configured(root: root, dataDirectory: data, environment: [:]) == .postgres(url: "postgres://rp@db/site"))
        let found = try BootstrapSetting.value(
            of: CoreSettings.storageURL, environment: [:], settingsDirectory: root.appendingPathComponent("settings"), root: root)
        #expect(found?.source == .file(path: "settings/20-storage.json"))
        let pinned = try StorageLocation.configured(
            root: root, dataDirectory: data, environment: ["RESETPRESS_STORAGE__URL": "sqlite:/tmp/b.sqlite"])
        #expect(pinned == .sqlite(path: "/tmp/b.sqlite"))
        #expect(throws: SettingsLoadError.self) {
            try StorageLocation.configured(root: root, dataDirectory: data, environment: ["RESETPRESS_STORAGE__URL": "redis://x"])
        }
    }

    @Test func theStorageURLCannotBeWrittenToTheDatabase() async throws {
        let root = try Self.folder()
        let engine = Engine(root: root, settingsStore: MemorySettingsStore(), environment: [:])
        try await engine.start()
        await #expect(throws: SettingsWriteError.self) { try await engine.settings.set(["storage.url": .text("sqlite:/tmp/c.sqlite")]) }
        #expect(engine.settings[CoreSettings.storageURL] == "")
    }

    @Test func sqliteStorageHasLocalCountersAndLockAndNoFeed() async throws {
        let folder = try Self.folder()
        let storage = SiteStorage(sqlite: try SQLiteDatabase(dataDirectory: folder))
        #expect(storage.backend == "sqlite")
        #expect(storage.settingsFeed == nil)
        #expect(storage.rateLimits is MemoryRateLimitStore)
        #expect(storage.jobLock is LocalJobLock)
        #expect(storage.adminSessions is SQLiteAdminSessionStore)
        #expect(storage.bulkResets is SQLiteBulkResetStore)
        #expect(try await storage.appliedMigrations() == ["v1-settings", "v2-reset", "v3-outbox-lease", "v4-admin-sessions", "v5-outbox-sealed", "v6-auth-code-length", "v8-events", "v9-cancel", "v10-bulk-resets", "v11-user-locale", "v7-webhooks", "v12-install-checks", "v13-api-tokens", "v14-audit", "v15-support", "v16-lean-request-writes", "v17-events-by-kind", "v18-queue-repack-marks", "v19-codes-by-user"])
        await storage.close()
    }
}
