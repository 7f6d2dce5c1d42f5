import Foundation
import PostgresNIO
import ResetPressStorage

/// A reset code's issue as one prepared statement: the code's upsert (the replaced row gets a new id,
/// so a guess against the old code's id fails), its mail when it has one, its webhook deliveries and
/// its events. Its text is the same whatever the effects, so PostgreSQL parses and plans it once per
/// connection: the mail is inserted only when `$9` says there is one, the deliveries and events are
/// arrays, one element each.
struct PostgresIssueStatement: PostgresPreparedStatement {
    static let sql = """
        WITH code AS (
            INSERT INTO reset_codes (user_id, email, code_hash, link_hash, created_at, expires_at, attempts, request_ip, cancel_hash, tokens_by_hash)
            VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $26)
            ON CONFLICT (user_id) DO UPDATE SET
                id = DEFAULT, email = excluded.email, code_hash = excluded.code_hash, link_hash = excluded.link_hash,
                created_at = excluded.created_at, expires_at = excluded.expires_at, attempts = 0,
                request_ip = excluded.request_ip, cancel_hash = excluded.cancel_hash, tokens_by_hash = excluded.tokens_by_hash
            RETURNING id
        ), mail AS (
            INSERT INTO \(OutboxMail.table.name) (\(OutboxMail.table.insertColumns))
            SELECT $10::text, $11::text, $12::text, $13::text, $14::bytea, $15::text, $16::int8, 'queued', 0, $5, $5 WHERE $9::boolean
        ), deliveries AS (
            INSERT INTO \(QueuedWebhook.table.name) (\(QueuedWebhook.table.insertColumns))
            SELECT e, u, b, d, 'queued', 0, $5, $5 FROM unnest($17::text[], $18::text[], $19::text[], $20::text[]) AS w(e, u, b, d)
        ), recorded AS (
            INSERT INTO events (kind, at, client_ip, delivery_seconds, user_id)
            SELECT k, a, NULLIF(ip, ''), NULLIF(s, 'NaN'), NULLIF(uid, 0)
            FROM unnest($21::text[], $22::float8[], $23::text[], $24::float8[], $25::int8[]) AS v(k, a, ip, s, uid)
        )
        SELECT id FROM code
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .int8, .text, .bytea, .bytea, .float8, .float8, .text, .bytea,
        .bool, .text, .text, .text, .text, .bytea, .text, .int8,
        .textArray, .textArray, .textArray, .textArray,
        .textArray, .float8Array, .textArray, .float8Array, .int8Array, .int4,
    ]

    let code: NewResetCode
    let effects: ResetEffects

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 26)
        bindings.append(code.userID)
        bindings.append(code.email)
        try bindings.append(code.codeHash)
        try bindings.append(code.linkHash)
        bindings.append(code.createdAt.databaseSeconds)
        bindings.append(code.expiresAt.databaseSeconds)
        bindings.append(code.requestIP)
        if let cancelHash = code.cancelHash { try bindings.append(cancelHash) } else { bindings.appendNull() }
        bindings.append(effects.mail != nil)
        let mail = try effects.mail?.cells() ?? Array(repeating: .null, count: OutboxMail.table.payloadColumns.count)
        for cell in mail { try bindings.append(cell) }
        bindings.appendColumns(of: effects.webhooks)
        bindings.appendColumns(of: effects.events)
        bindings.append(Int32(code.tokensByHash ? 1 : 0))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 {
        try row.decode(Int64.self)
    }
}

extension PostgresBindings {
    /// The deliveries as four arrays, one element each: event, url, body ('' for none) and delivery id.
    mutating func appendColumns(of webhooks: [QueuedWebhook]) {
        append(webhooks.map(\.event))
        append(webhooks.map(\.url))
        append(webhooks.map { $0.body ?? "" })
        append(webhooks.map(\.deliveryID))
    }

    /// The events as five arrays, one element each: kind, time, client IP ('' for none), delivery
    /// seconds (NaN for none) and user id (0 for none).
    mutating func appendColumns(of events: [ResetEvent]) {
        append(events.map(\.kind.rawValue))
        append(events.map(\.at.databaseSeconds))
        append(events.map { $0.clientIP ?? "" })
        append(events.map { $0.deliverySeconds ?? .nan })
        append(events.map { $0.userID ?? 0 })
    }
}
