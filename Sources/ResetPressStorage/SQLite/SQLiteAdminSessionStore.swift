import Foundation
import GRDB

/// Admin sessions in the `admin_sessions` table of the SQLite file, keyed by the SHA-256 of the id.
public struct SQLiteAdminSessionStore: AdminSessionStore {
    let pool: DatabasePool

    public func insert(_ record: AdminSessionRecord, capacity: Int, now: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM admin_sessions WHERE created_at <= ? OR (signed_in = 0 AND created_at <= ?)",
                arguments: [Self.cutoff(now, AdminSessionPolicy.absoluteLifetime), Self.cutoff(now, AdminSessionPolicy.anonymousLifetime)])
            // Anonymous sessions (signed_in = 0) sort first, each kind least recently seen first.
            try db.execute(
                sql: """
                    DELETE FROM admin_sessions WHERE id_hash IN (
                        SELECT id_hash FROM admin_sessions ORDER BY signed_in, last_seen
                        LIMIT max(0, (SELECT count(*) FROM admin_sessions) - ? + 1))
                    """,
                arguments: [max(1, capacity)])
            try mappingUniqueViolations({ $0.isUniqueViolation("admin_sessions.id_hash") ? "This admin session" : nil }) {
                try db.execute(
                    sql: """
                        INSERT INTO admin_sessions (id_hash, csrf_token, signed_in, password_fingerprint, created_at, last_seen, notices)
                        VALUES (?, ?, ?, ?, ?, ?, '[]')
                        """,
                    arguments: [
                        record.idHash, record.csrfToken, record.isSignedIn, record.passwordFingerprint, record.createdAt.databaseSeconds,
                        record.lastSeen.databaseSeconds,
                    ])
            }
        }
    }

    public func touch(idHash: Data, idleTimeout: TimeInterval, passwordFingerprint: Data, now: Date) async throws -> AdminSessionRecord? {
        try await pool.write { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    UPDATE admin_sessions SET last_seen = ?
                    WHERE id_hash = ? AND (
                        (signed_in = 0 AND created_at > ?)
                        OR (signed_in = 1 AND created_at > ? AND last_seen > ? AND password_fingerprint = ?))
                    RETURNING id_hash, csrf_token, signed_in, password_fingerprint, created_at, last_seen
                    """,
                arguments: [
                    now.databaseSeconds, idHash, Self.cutoff(now, AdminSessionPolicy.anonymousLifetime),
                    Self.cutoff(now, AdminSessionPolicy.absoluteLifetime), Self.cutoff(now, idleTimeout), passwordFingerprint,
                ])
            return try row.map { row in
                AdminSessionRecord(
                    idHash: try row.decode(forColumn: "id_hash"), csrfToken: try row.decode(forColumn: "csrf_token"),
                    isSignedIn: try row.decode(forColumn: "signed_in"), passwordFingerprint: try row.decode(forColumn: "password_fingerprint"),
                    createdAt: try row.date("created_at"), lastSeen: try row.date("last_seen"))
            }
        }
    }

    public func remove(idHash: Data) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM admin_sessions WHERE id_hash = ?", arguments: [idHash])
            return db.changesCount > 0
        }
    }

    public func appendNotice(_ notice: AdminNotice, idHash: Data) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE admin_sessions SET notices = json_insert(notices, '$[#]', json_object('kind', ?, 'text', ?)) WHERE id_hash = ?",
                arguments: [notice.kind, notice.text, idHash])
        }
    }

    public func takeNotices(idHash: Data) async throws -> [AdminNotice] {
        // One write transaction: no other writer runs between the read and the clearing.
        let json = try await pool.write { db -> String? in
            let json = try String.fetchOne(db, sql: "SELECT notices FROM admin_sessions WHERE id_hash = ?", arguments: [idHash])
            if json != nil, json != "[]" {
                try db.execute(sql: "UPDATE admin_sessions SET notices = '[]' WHERE id_hash = ?", arguments: [idHash])
            }
            return json
        }
        return try json.map(AdminNotice.list(fromJSON:)) ?? []
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM admin_sessions") ?? 0 }
    }

    public func deleteExpired(idleTimeout: TimeInterval, now: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    DELETE FROM admin_sessions
                    WHERE created_at <= ? OR (signed_in = 0 AND created_at <= ?) OR (signed_in = 1 AND last_seen <= ?)
                    """,
                arguments: [
                    Self.cutoff(now, AdminSessionPolicy.absoluteLifetime), Self.cutoff(now, AdminSessionPolicy.anonymousLifetime),
                    Self.cutoff(now, idleTimeout),
                ])
            return db.changesCount
        }
    }

    /// `now` minus `lifetime`, as a time column holds it.
    private static func cutoff(_ now: Date, _ lifetime: TimeInterval) -> Double {
        now.databaseSeconds - lifetime
    }
}
