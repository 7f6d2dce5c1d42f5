import Foundation
import GRDB
@testable import ResetPressStorage
import Testing

/// SQLite keeps a request and its outcome in one row, and still reads the rows written before.
@Suite struct SQLiteEventRowsTests {
    @Test func aRequestAndItsOutcomeShareOneRow() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-eventrows-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try SQLiteDatabase(dataDirectory: folder)
        let at = Date(timeIntervalSince1970: 1_000)
        try await database.events.record([
            ResetEvent(.request, at: at, clientIP: "192.0.2.1", userID: 3), ResetEvent(.codeIssued, at: at, clientIP: "192.0.2.1", userID: 3),
            ResetEvent(.mailSent, at: at, deliverySeconds: 0.5),
        ])
        let rows = try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, client_ip, user_id FROM events ORDER BY id").map { "\($0["kind"] as String) \($0["client_ip"] as String? ?? "-") \($0["user_id"] as Int64? ?? 0)" }
        }
        #expect(rows == ["request+code_issued 192.0.2.1 3", "mail_sent - 0"])
    }

    /// Rows from before pairs, and pairs whose outcome a later version names, still count.
    @Test func rowsOfEveryShapeCountAndExpire() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-eventrows-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try SQLiteDatabase(dataDirectory: folder)
        try await database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO events (kind, at, client_ip, user_id) VALUES
                    ('request', 10, '192.0.2.1', 3), ('code_issued', 10, '192.0.2.1', 3),
                    ('request+throttled', 20, '192.0.2.1', 3), ('request+from_a_later_version', 30, NULL, 3);
                """)
        }
        #expect(try await database.events.counts(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 40))
            == [.request: 3, .codeIssued: 1, .throttled: 1])
        #expect(try await database.events.topRefusedIPs(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 40), limit: 3).map(\.ip) == ["192.0.2.1"])
        #expect(try await database.events.events(userID: 3, limit: 10).map(\.kind) == [.request, .throttled, .request, .codeIssued, .request])
        #expect(try await database.events.deleteOlder(than: Date(timeIntervalSince1970: 25)) == 4)
    }
}
