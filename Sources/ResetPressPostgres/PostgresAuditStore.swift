import Foundation
import PostgresNIO
import ResetPressEngine
import ResetPressStorage

/// The audit trail in PostgreSQL (migration `v15-audit`), shared by every node.
public struct PostgresAuditStore: AuditStore {
    let client: PostgresClient

    public func record(_ records: [AuditRecord]) async throws {
        guard !records.isEmpty else { return }
        try await client.transaction { connection in try await Self.insert(records, on: connection) }
    }

    /// Inserts `records` inside the caller's transaction: a settings write records its own with it.
    static func insert(_ records: [AuditRecord], on connection: PostgresConnection) async throws {
        for record in records {
            _ = try await connection.rows("""
                INSERT INTO audit (at, actor, client_ip, action, subject, detail)
                VALUES (\(record.at.databaseSeconds), \(record.actor), \(record.clientIP), \(record.action), \(record.subject), \(record.detail))
                """)
        }
    }

    public func list(since: Date?, limit: Int) async throws -> [AuditRecord] {
        try await client.rows("""
            SELECT at, actor, client_ip, action, subject, detail FROM audit WHERE at >= \(since?.databaseSeconds ?? -Double.greatestFiniteMagnitude)
            ORDER BY at DESC, id DESC LIMIT \(max(0, limit))
            """).map { row in
            let (at, actor, clientIP, action, subject, detail) = try row.decode((Double, String, String, String, String, String).self)
            return AuditRecord(
                at: Date(timeIntervalSince1970: at), actor: AuditActor(name: actor, clientIP: clientIP), action: action, subject: subject,
                detail: detail)
        }
    }

    public func deleteBefore(_ date: Date) async throws -> Int {
        try await client.rows("DELETE FROM audit WHERE at < \(date.databaseSeconds) RETURNING 1").count
    }
}

extension PostgresDatabase {
    /// The audit trail, shared by every node.
    public var audit: PostgresAuditStore { PostgresAuditStore(client: client) }
}
