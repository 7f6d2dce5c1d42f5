import Foundation
import ResetPressEngine
import ResetPressPostgres
import ResetPressStorage
import ResetPressStoreTestSupport
import ResetPressUsers
import ResetPressTestSupport
import Testing

/// `resetpress storage migrate` and `storage status`, run as the real binary.
@Suite struct StorageMigrateCommandTests {
    /// A SQLite site with a little of everything.
    static func filledSite() async throws -> (folder: URL, database: SQLiteDatabase) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-migrate-\(UUID().uuidString)")
        let database = try SQLiteDatabase(dataDirectory: folder)
        try await database.settings.apply(["reset_password.mode": .string("store_only"), "reset_password.code_ttl": .int(600)])
        var users: [User] = []
        for index in 0..<3 {
            users.append(try await database.users.add(
                NewUser(login: "user\(index)", email: "user\(index)@example.org", passwordHash: "$2b$04$hash\(index)"), now: testTime()))
        }
        _ = try await database.resetCodes.issue(
            NewResetCode(
                userID: try #require(users[2].id), email: users[2].email, codeHash: Data(repeating: 1, count: 32), linkHash: Data(repeating: 2, count: 32),
                createdAt: testTime(), expiresAt: testTime(900), requestIP: "192.0.2.1"),
            mail: try testMail())
        _ = try await database.authCodes.add(codeHash: Data(repeating: 3, count: 32), lastFour: "WXYZ", length: 12, role: "", expiresAt: nil, now: testTime())
        try await database.jobStates.recordRun(name: "flush_expired_password_resets", at: testTime(), status: "ok")
        try await database.jobStates.recordRun(name: "flush_expired_password_resets", at: testTime(60), status: "ok")
        _ = try await database.webhooks.enqueue(
            [QueuedWebhook(event: "password_reset", url: "https://hooks.example.org/in", body: "{}", deliveryID: "migrated-1")], now: testTime())
        return (folder, database)
    }

    @Test func migrateCopiesEveryTableKeepingIdsAndStatusShowsPostgres() async throws {
        let (folder, source) = try await Self.filledSite()
        let url = try await TestPostgresServer.shared.createDatabase()
        let file = "sqlite:" + source.path
        let migrated = try ServerProcess.command(["storage", "migrate", "--from", file, "--to", url], environment: [:])
        #expect(migrated.status == 0, "\(migrated.output)")
        for table in ["settings", "users", "reset_codes", "auth_codes", "outbox", "job_runs", "webhooks"] {
            #expect(migrated.output.contains(table))
        }
        #expect(!migrated.output.contains("NO"))

        let target = try await PostgresDatabase.open(url: url, connectTimeout: testConnectTimeout)
        let user = try #require(try await target.users.user(byEmail: "user2@example.org"))
        #expect(user.id == (try await source.users.user(byEmail: "user2@example.org"))?.id)
        #expect(try await target.resetCodes.current(email: "user2@example.org")?.userID == user.id)
        #expect(try await target.settings.loadAll()["reset_password.code_ttl"] == .int(600))
        #expect(try await target.jobStates.all().first?.runs == 2)
        #expect(try await target.outbox.counts()[.queued] == 1)
        #expect(try await target.webhooks.list(status: .queued, limit: 10).map(\.deliveryID) == ["migrated-1"])
        let added = try await target.users.add(NewUser(login: "later", email: "later@example.org", passwordHash: "x"), now: testTime())
        #expect(added.id == user.id.map { $0 + 1 })

        let again = try ServerProcess.command(["storage", "migrate", "--from", file, "--to", url], environment: [:])
        #expect(again.status == 1)
        #expect(again.output.contains("empty database"), "\(again.output)")

        let status = try ServerProcess.command(
            ["storage", "status", "--root", folder.path, "--data-dir", folder.path], environment: ["RESETPRESS_STORAGE__URL": url])
        #expect(status.status == 0, "\(status.output)")
        #expect(status.output.contains("backend:    postgres"))
        #expect(status.output.contains("v3-rate-limits"))
        await target.shutdown()
        try await TestPostgresServer.shared.dropDatabase(url: url)
    }

    @Test func aSiteMovedIntoPostgreSQLAndBackIntoANewSQLiteFileKeepsEveryRow() async throws {
        let (folder, source) = try await Self.filledSite()
        let ann = try #require(try await source.users.user(byEmail: "user0@example.org")?.id)
        let code = try await source.resetCodes.issue(NewResetCode(
            userID: ann, email: "user0@example.org", codeHash: Data(repeating: 4, count: 32), linkHash: Data(repeating: 5, count: 32),
            createdAt: testTime(), expiresAt: testTime(900), requestIP: "192.0.2.1"))
        #expect(try await source.resetCodes.cancel(id: code, userID: ann, blockUntil: testTime(3600), now: testTime(30)))
        _ = try await source.apiTokens.add(name: "deploy", scopes: ["read"], hash: Data(repeating: 6, count: 32), expiresAt: nil, now: testTime())
        try await source.events.record([ResetEvent(.request, at: testTime(), clientIP: "192.0.2.1"), ResetEvent(.codeIssued, at: testTime())])
        try await source.audit.record([AuditRecord(at: testTime(), actor: .cli, action: "setting.changed", subject: "reset_password.mode")])
        let url = try await TestPostgresServer.shared.createDatabase()
        let there = try ServerProcess.command(["storage", "migrate", "--from", "sqlite:" + source.path, "--to", url], environment: [:])
        #expect(there.status == 0, "\(there.output)")

        let file = folder.appendingPathComponent("back.sqlite").path
        let back = try ServerProcess.command(["storage", "migrate", "--from", url, "--to", "sqlite:" + file], environment: [:])
        #expect(back.status == 0, "\(back.output)")
        #expect(back.output.contains("POSTGRES") && back.output.contains("SQLITE") && !back.output.contains("NO"), "\(back.output)")
        let copy = try SQLiteDatabase(path: file)
        for table in StorageTable.copiedTables {
            let original = try source.exportTable(table)
            #expect(!original.rows.isEmpty || table == "bulk_reset_sent", "\(table) has no row to copy")
            #expect(try copy.exportTable(table) == original, "\(table)")
        }
        #expect(try await copy.settings.loadAll() == (try await source.settings.loadAll()))
        #expect(try await copy.resetCodes.blockedUntil(userID: ann) == testTime(3600))
        let later = try await copy.users.add(NewUser(login: "later", email: "later@example.org", passwordHash: "x"), now: testTime())
        #expect(later.id == 4)

        let again = try ServerProcess.command(["storage", "migrate", "--from", url, "--to", "sqlite:" + file], environment: [:])
        #expect(again.status == 1)
        #expect(again.output.contains("empty database"), "\(again.output)")
        let both = try ServerProcess.command(["storage", "migrate", "--from", "sqlite:" + file, "--to", "sqlite:/tmp/x.sqlite"], environment: [:])
        #expect(both.status == 2)
        #expect(both.output.contains("storage backup"), "\(both.output)")
        try await TestPostgresServer.shared.dropDatabase(url: url)
    }

    @Test func statusOfTheDefaultIsTheSQLiteFileAndPasswordsAreHidden() async throws {
        let (folder, _) = try await Self.filledSite()
        let status = try ServerProcess.command(["storage", "status", "--root", folder.path, "--data-dir", folder.path], environment: [:])
        #expect(status.status == 0, "\(status.output)")
        #expect(status.output.contains("backend:    sqlite"))
        #expect(status.output.contains("v2-reset"))

        let refused = try ServerProcess.command(
            ["storage", "status", "--root", folder.path, "--data-dir", folder.path],
            environment: ["RESETPRESS_STORAGE__URL": "postgres://rp:hunter2@127.0.0.1:1/none?sslmode=disable"])
        #expect(refused.status == 1)
        #expect(refused.output.contains("Could not connect"), "\(refused.output)")
        #expect(!refused.output.contains("hunter2"))
    }

    @Test func migrateRefusesAMissingFileAndAnUnreachableServer() async throws {
        let missing = try ServerProcess.command(
            ["storage", "migrate", "--from", "sqlite:/nonexistent/resetpress.sqlite", "--to", "postgres://rp@127.0.0.1:1/x"], environment: [:])
        #expect(missing.status == 1)
        #expect(missing.output.contains("no SQLite database"))

        let (_, source) = try await Self.filledSite()
        let unreachable = try ServerProcess.command(
            ["storage", "migrate", "--from", "sqlite:" + source.path, "--to", "postgres://rp:hunter2@127.0.0.1:1/x?sslmode=disable"],
            environment: [:])
        #expect(unreachable.status == 1)
        #expect(unreachable.output.contains("Could not connect"), "\(unreachable.output)")
        #expect(!unreachable.output.contains("hunter2"))

        let usage = try ServerProcess.command(["storage", "migrate", "--from", "mysql://x", "--to", "postgres://x"], environment: [:])
        #expect(usage.status == 2)
    }
}
