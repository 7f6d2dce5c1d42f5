import Foundation
import ResetPressEngine
import Testing
@testable import ResetPressStorage

@Suite struct SQLiteDatabaseTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-db-\(UUID().uuidString)")
    }

    @Test func opensInWALModeWithMigrationsApplied() throws {
        let database = try SQLiteDatabase(dataDirectory: folder)
        #expect(try database.journalMode() == "wal")
        #expect(try database.appliedMigrations().contains("v1-settings"))
        #expect(try database.integrityCheck() == ["ok"])
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("resetpress.sqlite").path))
    }

    @Test func settingsStoreRoundTripsEveryShapeAndSurvivesReopening() async throws {
        do {
            let database = try SQLiteDatabase(dataDirectory: folder)
            try await database.settings.apply([
                "a.bool": .bool(true), "a.int": .int(-3), "a.string": .string("héllo \"q\""), "a.list": .list(["x", "y,z"]),
            ])
            try await database.settings.apply(["a.int": .int(4), "a.bool": nil])
        }
        let reopened = try SQLiteDatabase(dataDirectory: folder)
        let values = try await reopened.settings.loadAll()
        #expect(values == ["a.int": .int(4), "a.string": .string("héllo \"q\""), "a.list": .list(["x", "y,z"])])
    }

    @Test func engineWritesThroughToTheDatabase() async throws {
        let key = SettingKey("reset_password.code_length", default: 20, kind: .int, description: "Length.")
        let database = try SQLiteDatabase(dataDirectory: folder)
        let first = SettingsEngine(store: database.settings, environment: [:], settingsDirectory: nil, hooks: HookRegistry())
        first.register(key)
        try await first.load()
        try await first.set(["reset_password.code_length": .text("32")])

        let second = SettingsEngine(store: try SQLiteDatabase(dataDirectory: folder).settings, environment: [:], settingsDirectory: nil, hooks: HookRegistry())
        second.register(key)
        try await second.load()
        #expect(second[key] == 32)
        #expect(second.snapshot.resolved(key.name)?.source == .database)
    }
}
