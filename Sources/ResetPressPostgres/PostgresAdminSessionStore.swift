import Foundation
import PostgresNIO
import ResetPressStorage

/// Admin sessions in the `admin_sessions` table every node shares, keyed by the SHA-256 of the id.
///
/// The touch of each request is one `UPDATE ... RETURNING`; notices are a `jsonb` array appended
/// to and taken in single statements, so concurrent requests on any nodes never lose or repeat one.
public struct PostgresAdminSessionStore: AdminSessionStore {
    let client: PostgresClient

    public func insert(_ record: AdminSessionRecord, capacity: Int, now: Date) async throws {
        let absolute = Self.cutoff(now, AdminSessionPolicy.absoluteLifetime)
        let anonymous = Self.cutoff(now, AdminSessionPolicy.anonymousLifetime)
        try await client.transaction { connection in
            _ = try await connection.rows("DELETE FROM admin_sessions WHERE created_at <= \(absolute) OR (NOT signed_in AND created_at <= \(anonymous))")
            // Anonymous sessions (false) sort first, each kind least recently seen first.
            _ = try await connection.rows("""
                DELETE FROM admin_sessions WHERE id_hash IN (
                    SELECT id_hash FROM admin_sessions ORDER BY signed_in, last_seen
                    LIMIT greatest(0, (SELECT count(*) FROM admin_sessions) - \(max(1, capacity)) + 1))
                """)
            _ = try await mappingUniqueViolations({ $0 == "admin_sessions_pkey" ? "This admin session" : nil }) {
                try await connection.rows("""
                    INSERT INTO admin_sessions (id_hash, csrf_token, signed_in, password_fingerprint, created_at, last_seen)
                    VALUES (\(record.idHash), \(record.csrfToken), \(record.isSignedIn), \(record.passwordFingerprint),
                            \(record.createdAt.databaseSeconds), \(record.lastSeen.databaseSeconds))
                    """)
            }
        }
    }

    public func touch(idHash: Data, idleTimeout: TimeInterval, passwordFingerprint: Data, now: Date) async throws -> AdminSessionRecord? {
        let rows = try await client.rows("""
            UPDATE admin_sessions SET last_seen = \(now.databaseSeconds)
            WHERE id_hash = \(idHash) AND (
                (NOT signed_in AND created_at > \(Self.cutoff(now, AdminSessionPolicy.anonymousLifetime)))
                OR (signed_in AND created_at > \(Self.cutoff(now, AdminSessionPolicy.absoluteLifetime))
                    AND last_seen > \(Self.cutoff(now, idleTimeout)) AND password_fingerprint = \(passwordFingerprint)))
            RETURNING id_hash, csrf_token, signed_in, password_fingerprint, created_at, last_seen
            """)
        return try rows.first.map { row in
            let (hash, csrf, signedIn, fingerprint, createdAt, lastSeen) = try row.decode((Data, String, Bool, Data?, Double, Double).self)
            return AdminSessionRecord(
                idHash: hash, csrfToken: csrf, isSignedIn: signedIn, passwordFingerprint: fingerprint,
                createdAt: Date(timeIntervalSince1970: createdAt), lastSeen: Date(timeIntervalSince1970: lastSeen))
        }
    }

    public func remove(idHash: Data) async throws -> Bool {
        try await !client.rows("DELETE FROM admin_sessions WHERE id_hash = \(idHash) RETURNING 1").isEmpty
    }

    public func appendNotice(_ notice: AdminNotice, idHash: Data) async throws {
        _ = try await client.rows("""
            UPDATE admin_sessions
            SET notices = notices || jsonb_build_array(jsonb_build_object('kind', \(notice.kind)::text, 'text', \(notice.text)::text))
            WHERE id_hash = \(idHash)
            """)
    }

    public func takeNotices(idHash: Data) async throws -> [AdminNotice] {
        // FOR UPDATE: a concurrent taker waits, then reads the emptied list.
        let rows = try await client.rows("""
            WITH old AS (SELECT id_hash, notices FROM admin_sessions WHERE id_hash = \(idHash) FOR UPDATE)
            UPDATE admin_sessions AS s SET notices = '[]'::jsonb FROM old WHERE s.id_hash = old.id_hash
            RETURNING old.notices::text
            """)
        return try rows.first.map { try AdminNotice.list(fromJSON: try $0.decode(String.self)) } ?? []
    }

    public func count() async throws -> Int {
        guard let count = try await client.rows("SELECT count(*) FROM admin_sessions").first else {
            throw PostgresStorageError.unreadableRow("SELECT count(*) FROM admin_sessions returned no row.")
        }
        return Int(try count.decode(Int64.self))
    }

    public func deleteExpired(idleTimeout: TimeInterval, now: Date) async throws -> Int {
        try await client.rows("""
            DELETE FROM admin_sessions
            WHERE created_at <= \(Self.cutoff(now, AdminSessionPolicy.absoluteLifetime))
               OR (NOT signed_in AND created_at <= \(Self.cutoff(now, AdminSessionPolicy.anonymousLifetime)))
               OR (signed_in AND last_seen <= \(Self.cutoff(now, idleTimeout)))
            RETURNING 1
            """).count
    }

    /// `now` minus `lifetime`, as a time column holds it.
    private static func cutoff(_ now: Date, _ lifetime: TimeInterval) -> Double {
        now.databaseSeconds - lifetime
    }
}
