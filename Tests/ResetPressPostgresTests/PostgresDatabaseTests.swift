import Foundation
import ResetPressPostgres
import ResetPressStoreTestSupport
import Testing

@Suite struct PostgresDatabaseTests {
    @Test func urlsAreParsedWithDefaults() throws {
        let full = try PostgresURL("postgres://app:s%40cret@db.example.com:6432/resetpress?sslmode=require")
        #expect(full.username == "app" && full.password == "s@cret" && full.host == "db.example.com")
        #expect(full.port == 6432 && full.database == "resetpress" && full.tlsMode == .require)
        #expect(full.redacted == "postgres://app@db.example.com:6432/resetpress")

        let short = try PostgresURL("postgresql://127.0.0.1")
        #expect(short.username == "postgres" && short.password == nil && short.port == 5432)
        #expect(short.database == "postgres" && short.tlsMode == .prefer)
        #expect(try PostgresURL("postgres://ann@[::1]:5433/").host == "::1")
        #expect(try PostgresURL("postgres://ann@[::1]:5433/").database == "ann")
    }

    @Test(arguments: [
        "", "mysql://localhost/db", "postgres:///db", "postgres://host/a/b", "postgres://host:0/db",
        "postgres://host/db?sslmode=maybe", "postgres://host/db?timeout=3", "not a url at all",
    ])
    func badURLsAreRefusedWithAMessage(_ url: String) async throws {
        #expect(throws: PostgresStorageError.self) { try PostgresURL(url) }
        await #expect(throws: PostgresStorageError.self) { _ = try await PostgresDatabase.open(url: url) }
    }

    @Test func anUnreachableServerFailsOpenWithinTheTimeout() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: PostgresStorageError.self) {
            _ = try await PostgresDatabase.open(url: "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable", connectTimeout: .seconds(2))
        }
        // Bounded (not hanging), with room for a loaded machine.
        #expect(clock.now - start < .seconds(20))
        #expect(error?.description.hasPrefix("Could not connect to PostgreSQL: postgres://postgres@127.0.0.1:1/postgres") == true)
    }

    @Test func aMissingDatabaseFailsOpenWithTheServersMessage() async throws {
        let admin = try await TestPostgresServer.shared.adminURL()
        let error = await #expect(throws: PostgresStorageError.self) {
            _ = try await PostgresDatabase.open(url: "postgres://\(admin.username)@\(admin.host):\(admin.port)/no_such_database?sslmode=disable")
        }
        #expect(error?.description.contains("database \"no_such_database\" does not exist") == true, "\(String(describing: error))")
    }

    @Test func migrationsAreRecordedAndRunOnceEvenWhenNodesStartTogether() async throws {
        let url = try await TestPostgresServer.shared.createDatabase()
        let nodes = try await withThrowingTaskGroup(of: PostgresDatabase.self) { group in
            for _ in 0..<3 { group.addTask { try await PostgresDatabase.open(url: url, connectTimeout: testConnectTimeout) } }
            var nodes: [PostgresDatabase] = []
            for try await node in group { nodes.append(node) }
            return nodes
        }
        for node in nodes {
            #expect(try await node.appliedMigrations() == ["v1-settings", "v2-reset", "v3-rate-limits", "v4-outbox-lease", "v5-admin-sessions", "v6-outbox-sealed", "v7-auth-code-length", "v9-events", "v10-cancel", "v11-bulk-resets", "v12-user-locale", "v8-webhooks", "v13-install-checks", "v14-api-tokens", "v15-audit", "v16-support", "v17-tokens-name-user"])
        }
        #expect(try await nodes[0].serverVersion().isEmpty == false)
        for node in nodes { await node.shutdown() }

        let reopened = try await PostgresDatabase.open(url: url, connectTimeout: testConnectTimeout)
        #expect(try await reopened.appliedMigrations() == ["v1-settings", "v2-reset", "v3-rate-limits", "v4-outbox-lease", "v5-admin-sessions", "v6-outbox-sealed", "v7-auth-code-length", "v9-events", "v10-cancel", "v11-bulk-resets", "v12-user-locale", "v8-webhooks", "v13-install-checks", "v14-api-tokens", "v15-audit", "v16-support", "v17-tokens-name-user"])
        await reopened.shutdown()
        await reopened.shutdown()
        await #expect(throws: (any Error).self) { _ = try await reopened.appliedMigrations() }
        await #expect(throws: PostgresStorageError.shutDown) { _ = try await reopened.settingsFeed.changes() }
        try await TestPostgresServer.shared.dropDatabase(url: url)
    }
}
