import Foundation
import GRDB
@testable import ResetPressStorage
import Testing

/// SQLite's `v19-codes-by-user`, over a database as `v18-queue-repack-marks` left it: the codes
/// already stored stay findable by their hashes (their tokens are in mail already sent) and keep
/// their ids; only those codes keep an index entry for their hashes, and the table is keyed by user.
@Suite struct CodesByUserMigrationTests {
    @Test func storedCodesKeepTheirHashLookupAndNewOnesAreFoundByTheirUser() async throws {
        try await withEarlierDatabase(upTo: "v18-queue-repack-marks", seed: { db in
            try db.execute(sql: """
                INSERT INTO reset_codes (id, user_id, email, code_hash, link_hash, created_at, expires_at, attempts, request_ip, cancel_hash)
                    VALUES (5, 1, 'ann@example.com', x'01', x'02', 100, 900, 2, '10.0.0.1', x'03'),
                           (9, 2, 'bob@example.com', x'11', x'12', 100, 900, 0, '10.0.0.2', NULL);
                DELETE FROM reset_codes WHERE id = 9;
                """)
        }) { path in
            try await expectMigrated(SQLiteDatabase(path: path))
        }
    }

    private func expectMigrated(_ database: SQLiteDatabase) async throws {
        let codes = database.resetCodes
        let ann = try #require(try await codes.current(linkHash: Data([2])))
        #expect(ann.id == 5 && ann.userID == 1 && ann.attempts == 2 && ann.tokensByHash)
        #expect(ann.codeHash == Data([1]) && ann.requestIP == "10.0.0.1" && ann.expiresAt == Date(timeIntervalSince1970: 900))
        #expect(try await codes.current(cancelHash: Data([3])) == ann)
        #expect(try await codes.current(userID: 1) == ann)

        let indexes = try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reset_codes' ORDER BY name")
                .map { ($0["name"] as String, $0["sql"] as String?) }
        }
        // The user is the row's key, so no index of users is left; the hashes' indexes are partial.
        #expect(indexes.map(\.0) == ["reset_codes_on_cancel_hash", "reset_codes_on_email", "reset_codes_on_link_hash"])
        #expect(indexes.filter { $0.0.hasSuffix("_hash") }.allSatisfy { $0.1?.hasSuffix("WHERE tokens_by_hash = 1") == true })
        let plan = try await database.pool.read { db in
            try Row.fetchAll(
                db, sql: "EXPLAIN QUERY PLAN SELECT * FROM reset_codes WHERE link_hash = ? AND tokens_by_hash = 1 ORDER BY created_at DESC, id DESC LIMIT 1",
                arguments: [Data([2])]
            ).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("USING INDEX reset_codes_on_link_hash") })

        // A new code takes an id no code had, and only its user finds it; no counter is kept.
        let named = NewResetCode(
            userID: 2, email: "bob@example.com", codeHash: Data([0x21]), linkHash: Data([2]), createdAt: Date(timeIntervalSince1970: 200),
            expiresAt: Date(timeIntervalSince1970: 1100), requestIP: "10.0.0.2", cancelHash: Data([3]))
        let bob = try await codes.issue(named, mail: nil)
        #expect(![5, 9].contains(bob) && bob > 0 && bob < 1 << 53)
        #expect(try await codes.current(userID: 2) == ResetCodeRecord(id: bob, issued: named, attempts: 0))
        #expect(try await database.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'reset_codes'") } == 0)
        #expect(try await codes.current(linkHash: Data([2]))?.id == 5)
        // Ann's next code replaces the stored one in its row, and her old link and id stop working.
        let next = try await codes.issue(NewResetCode(
            userID: 1, email: "ann@example.com", codeHash: Data([0x31]), linkHash: Data([0x32]), createdAt: Date(timeIntervalSince1970: 300),
            expiresAt: Date(timeIntervalSince1970: 1200), requestIP: "10.0.0.1"), mail: nil)
        #expect(try await codes.current(linkHash: Data([2])) == nil)
        #expect(try await codes.current(cancelHash: Data([3])) == nil)
        #expect(next != 5)
        #expect(try await codes.claimAttempt(id: 5, userID: 1, maxAttempts: 5) == nil)
        #expect(try await codes.current(userID: 1)?.id == next)
        #expect(try await codes.count() == 2)
        #expect(try database.integrityCheck() == ["ok"])
    }
}
