import Foundation
import GRDB
@testable import ResetPressStorage
import Testing

/// SQLite's `v16-lean-request-writes` and `v17-events-by-kind`, over a database as `v15-support`
/// left it: the events table is rebuilt without AUTOINCREMENT, rows and ids kept, the codes' expiry
/// index is dropped, and so is the events' index by time alone.
@Suite struct LeanWritesMigrationTests {
    @Test func eventsKeepTheirRowsAndIdsAndTheExpiryFlushStillWorks() async throws {
        try await withEarlierDatabase(upTo: "v15-support", seed: { db in
            try db.execute(sql: """
                INSERT INTO events (id, kind, at, client_ip, delivery_seconds, user_id) VALUES
                    (7, 'request', 100, '10.0.0.1', NULL, 1), (8, 'code_issued', 100, '10.0.0.1', NULL, 1), (9, 'mail_sent', 101, NULL, 0.5, 1);
                INSERT INTO users (id, login, email, password_hash, created_at, updated_at) VALUES (1, 'ann', 'ann@example.com', 'h', 1, 1);
                INSERT INTO reset_codes (user_id, email, code_hash, link_hash, created_at, expires_at, attempts, request_ip)
                    VALUES (1, 'ann@example.com', x'01', x'02', 100, 200, 0, '10.0.0.1');
                """)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'events'") == 1)
        }) { path in
            try await expectLeanWrites(SQLiteDatabase(path: path))
        }
    }

    private func expectLeanWrites(_ database: SQLiteDatabase) async throws {
        #expect(try database.appliedMigrations().contains("v16-lean-request-writes"))
        let (rows, indexes, sequence) = try database.pool.read { db in
            (
                try Row.fetchAll(db, sql: "SELECT id, kind, at, client_ip, delivery_seconds, user_id FROM events ORDER BY id"),
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('events', 'reset_codes') ORDER BY name"),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'events'")
            )
        }
        #expect(rows.map { $0["id"] as Int64 } == [7, 8, 9])
        #expect(rows.map { $0["kind"] as String } == ["request", "code_issued", "mail_sent"])
        #expect(rows[2]["delivery_seconds"] as Double? == 0.5 && rows[0]["client_ip"] as String? == "10.0.0.1" && rows[2]["user_id"] as Int64? == 1)
        #expect(indexes.contains("events_on_kind_at") && indexes.contains("events_on_user_at"))
        #expect(!indexes.contains("events_on_at"))
        #expect(!indexes.contains("reset_codes_on_expires_at"))
        #expect(sequence == 0)

        try await database.events.record([ResetEvent(.request, at: Date(timeIntervalSince1970: 300))])
        #expect(try await database.pool.read { try Int64.fetchOne($0, sql: "SELECT MAX(id) FROM events") } == 10)
        #expect(try await database.resetCodes.deleteExpired(now: Date(timeIntervalSince1970: 250)) == 1)
    }

    /// With no index by time alone, what filters by time must not scan the table: the retention and
    /// the counts read each kind's range of `events_on_kind_at`, kinds this version does not name too.
    @Test func timeFiltersReadEachKindsRangeOfTheKindIndex() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-bykind-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = try SQLiteDatabase(path: folder.appendingPathComponent("resetpress.sqlite").path)
        try await database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO events (kind, at) VALUES ('request', 10), ('request', 20), ('mail_sent', 15), ('from_a_later_version', 5), ('from_a_later_version', 25);
                """)
        }
        let plans = try await database.pool.read { db in
            try [SQLiteEventStore.deleteOlderSQL, SQLiteEventStore.countsSQL, SQLiteEventStore.pairsOlderSQL].map { sql in
                let arguments = StatementArguments(Array(repeating: 0.0, count: sql.filter { $0 == "?" }.count))
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)", arguments: arguments).map { $0["detail"] as String }
            }
        }
        for plan in plans {
            #expect(plan.contains { $0.hasPrefix("SEARCH events USING") && $0.contains("events_on_kind_at (kind=? AND at") })
            #expect(!plan.contains { $0.hasPrefix("SCAN events") })
        }

        #expect(try await database.events.counts(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 18)) == [.request: 1, .mailSent: 1])
        #expect(try await database.events.deleteOlder(than: Date(timeIntervalSince1970: 16)) == 3)
        let left = try await database.pool.read { try String.fetchAll($0, sql: "SELECT kind || ':' || CAST(at AS INTEGER) FROM events ORDER BY at") }
        #expect(left == ["request:20", "from_a_later_version:25"])
    }
}
