import Foundation
import NIOCore
import PostgresNIO
import ResetPressStorage

/// Several reset codes' issues as one prepared statement: every code's upsert, the mail, webhook
/// deliveries and events of all of them, in one round trip and one commit. Its text is fixed (each
/// column is an array, one element per row), so PostgreSQL plans it once per connection. Empty
/// bytes, an empty text and 0 stand for NULL where a column allows it, as ``PostgresIssueStatement``
/// does. The users must differ: one statement cannot upsert a row twice. Rows are written in
/// `user_id` order, so two nodes' batches that share users lock them in the same order and wait
/// for each other instead of deadlocking.
struct PostgresIssueBatchStatement: PostgresPreparedStatement {
    static let sql = """
        WITH input AS (
            SELECT * FROM unnest($1::int8[], $2::text[], $3::bytea[], $4::bytea[], $5::float8[], $6::float8[], $7::text[], $8::bytea[], $27::int4[])
                WITH ORDINALITY AS i(user_id, email, code_hash, link_hash, created_at, expires_at, request_ip, cancel_hash, tokens_by_hash, ord)
        ), code AS (
            INSERT INTO reset_codes (user_id, email, code_hash, link_hash, created_at, expires_at, attempts, request_ip, cancel_hash, tokens_by_hash)
            SELECT user_id, email, code_hash, link_hash, created_at, expires_at, 0, request_ip, NULLIF(cancel_hash, ''::bytea), tokens_by_hash
            FROM input ORDER BY user_id
            ON CONFLICT (user_id) DO UPDATE SET
                id = DEFAULT, email = excluded.email, code_hash = excluded.code_hash, link_hash = excluded.link_hash,
                created_at = excluded.created_at, expires_at = excluded.expires_at, attempts = 0,
                request_ip = excluded.request_ip, cancel_hash = excluded.cancel_hash, tokens_by_hash = excluded.tokens_by_hash
            RETURNING id, user_id
        ), mail AS (
            INSERT INTO \(OutboxMail.table.name) (\(OutboxMail.table.insertColumns))
            SELECT k, r, s, NULLIF(b, ''), NULLIF(sb, ''::bytea), m, NULLIF(u, 0), 'queued', 0, t, t
            FROM unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::bytea[], $14::text[], $15::int8[], $16::float8[]) AS o(k, r, s, b, sb, m, u, t)
        ), deliveries AS (
            INSERT INTO \(QueuedWebhook.table.name) (\(QueuedWebhook.table.insertColumns))
            SELECT e, u, b, d, 'queued', 0, t, t FROM unnest($17::text[], $18::text[], $19::text[], $20::text[], $21::float8[]) AS w(e, u, b, d, t)
        ), recorded AS (
            INSERT INTO events (kind, at, client_ip, delivery_seconds, user_id)
            SELECT k, a, NULLIF(ip, ''), NULLIF(s, 'NaN'), NULLIF(uid, 0)
            FROM unnest($22::text[], $23::float8[], $24::text[], $25::float8[], $26::int8[]) AS v(k, a, ip, s, uid)
        )
        SELECT code.id, input.ord FROM code JOIN input USING (user_id)
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .int8Array, .textArray, .byteaArray, .byteaArray, .float8Array, .float8Array, .textArray, .byteaArray,
        .textArray, .textArray, .textArray, .textArray, .byteaArray, .textArray, .int8Array, .float8Array,
        .textArray, .textArray, .textArray, .textArray, .float8Array,
        .textArray, .float8Array, .textArray, .float8Array, .int8Array, .int4Array,
    ]

    /// The codes and their effects, each queued and recorded at its change's time.
    let changes: [(code: NewResetCode, effects: ResetEffects)]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 27)
        let codes = changes.map(\.code)
        bindings.append(codes.map(\.userID))
        bindings.append(codes.map(\.email))
        bindings.append(codes.map { ByteBuffer(bytes: $0.codeHash) })
        bindings.append(codes.map { ByteBuffer(bytes: $0.linkHash) })
        bindings.append(codes.map(\.createdAt.databaseSeconds))
        bindings.append(codes.map(\.expiresAt.databaseSeconds))
        bindings.append(codes.map(\.requestIP))
        bindings.append(codes.map { ByteBuffer(bytes: $0.cancelHash ?? Data()) })

        let mail = try changes.compactMap { change in try change.effects.mail.map { (cells: try $0.cells(), at: change.code.createdAt) } }
        bindings.append(mail.map { Self.text($0.cells[0]) })
        bindings.append(mail.map { Self.text($0.cells[1]) })
        bindings.append(mail.map { Self.text($0.cells[2]) })
        bindings.append(mail.map { Self.text($0.cells[3]) })
        bindings.append(mail.map { Self.bytes($0.cells[4]) })
        bindings.append(mail.map { Self.text($0.cells[5]) })
        bindings.append(mail.map { Self.integer($0.cells[6]) })
        bindings.append(mail.map(\.at.databaseSeconds))

        bindings.appendColumns(of: changes.flatMap(\.effects.webhooks))
        bindings.append(changes.flatMap { change in change.effects.webhooks.map { _ in change.code.createdAt.databaseSeconds } })
        bindings.appendColumns(of: changes.flatMap(\.effects.events))
        bindings.append(codes.map { Int32($0.tokensByHash ? 1 : 0) })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> (id: Int64, ordinal: Int64) {
        try row.decode((Int64, Int64).self)
    }

    private static func text(_ cell: StorageTable.Cell) -> String {
        if case .text(let text) = cell { text } else { "" }
    }

    private static func bytes(_ cell: StorageTable.Cell) -> ByteBuffer {
        if case .blob(let data) = cell { ByteBuffer(bytes: data) } else { ByteBuffer() }
    }

    private static func integer(_ cell: StorageTable.Cell) -> Int64 {
        if case .integer(let value) = cell { value } else { 0 }
    }
}
