import Foundation
import PostgresNIO
@testable import ResetPressPostgres
@testable import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// The migration that splits outbox bodies from their metadata (`v5-outbox-sealed` on SQLite,
/// `v6-outbox-sealed` on PostgreSQL), over rows as the earlier schema wrote them.
@Suite struct OutboxSealMigrationTests {
    /// The earlier schema's outbox: the whole message as JSON in `message`.
    static let legacyColumns = ["recipients", "subject", "body", "sealed_body"]

    /// Legacy rows: a queued and a sent reset mail, a failed one, and a queued notice.
    static func legacyRows(code: String) -> [String] {
        func row(_ id: Int, _ kind: String, _ status: String, _ to: String) -> String {
            let message = #"{"from":{"email":"site@example.com"},"to":[{"email":"\#(to)","name":"Ann"},{"email":"x@example.com"}],"#
                + #""subject":"Code for \#(to)","textBody":"Your reset code is: \#(code)"}"#
            return """
                INSERT INTO outbox (id, kind, message, message_id, status, attempts, created_at, next_attempt_at)
                VALUES (\(id), '\(kind)', '\(message)', '<m\(id)@example.com>', '\(status)', 0, 1700000000, 1700000000)
                """
        }
        return [
            row(1, "reset_code", "queued", "a@example.com"), row(2, "reset_code", "sent", "b@example.com"),
            row(3, "reset_code", "failed", "c@example.com"), row(4, "password_changed", "queued", "d@example.com"),
        ]
    }

    /// Not on memory, which has no schema and no rows from earlier versions.
    @Test(arguments: Backend.sqlBackends)
    func existingRowsKeepTheirMetadataAndFinishedOnesLoseTheirBody(_ backend: Backend) async throws {
        let code = "LEGACYCODE123456"
        let check: @Sendable (any MailOutbox) async throws -> Void = { outbox in
            let byID = Dictionary(uniqueKeysWithValues: try await outbox.list(status: nil, limit: 10).map { ($0.id, $0) })
            #expect(byID.count == 4)
            #expect(byID[1]?.recipients == ["a@example.com", "x@example.com"] && byID[1]?.subject == "Code for a@example.com")
            #expect(byID[3]?.recipients == ["c@example.com", "x@example.com"] && byID[3]?.subject == "Code for c@example.com")
            #expect(byID[1]?.body?.plainMessage?.textBody == "Your reset code is: \(code)")
            #expect(byID[2]?.body == nil && byID[3]?.body == nil)
            #expect(byID[4]?.body?.plainMessage != nil)
            let sealer = InstallSecret(bytes: Data(repeating: 3, count: 32)).mailSealer()
            #expect(try await outbox.sealPlainBodies(kinds: ["reset_code"]) { try sealer.seal($0) } == 1)
            guard case .sealed(let data) = try await outbox.list(status: .queued, limit: 10).first(where: { $0.id == 1 })?.body else {
                Issue.record("the queued reset mail was not sealed")
                return
            }
            #expect(try sealer.open(data).textBody == "Your reset code is: \(code)")
        }
        switch backend {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-seal-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let current = try SQLiteDatabase(dataDirectory: folder)
            try await current.pool.write { db in
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v5-outbox-sealed'")
                for column in Self.legacyColumns { try db.execute(sql: "ALTER TABLE outbox DROP COLUMN \(column)") }
                try db.execute(sql: "ALTER TABLE outbox ADD COLUMN message TEXT NOT NULL DEFAULT ''")
                for row in Self.legacyRows(code: code) { try db.execute(sql: row) }
            }
            try await check(try SQLiteDatabase(path: current.path).outbox)
        case .postgres:
            try await withPostgres { nodes in
                let client = nodes[0].client
                _ = try await client.rows("DELETE FROM schema_migrations WHERE identifier = 'v6-outbox-sealed'")
                let drops = Self.legacyColumns.map { "DROP COLUMN \($0)" }.joined(separator: ", ")
                _ = try await client.rows(PostgresQuery(unsafeSQL: "ALTER TABLE outbox \(drops), ADD COLUMN message TEXT NOT NULL"))
                for row in Self.legacyRows(code: code) { _ = try await client.rows(PostgresQuery(unsafeSQL: row)) }
                #expect(try await PostgresSchemaMigrations.migrate(client) == ["v6-outbox-sealed"])
                try await check(nodes[0].outbox)
            }
        case .memory:
            Issue.record("memory stores have no earlier schema")
        }
    }
}
