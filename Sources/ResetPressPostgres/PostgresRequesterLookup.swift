import Foundation
import PostgresNIO
import ResetPressStorage

/// The request path's lookup of a user with their block and current code, batched: the lookups made
/// at the same time share one statement and one round trip, as the issues that follow them do. A
/// lookup on its own is the same statement over one email.
enum PostgresRequesterLookup {
    /// The batcher of `client`'s lookups, by email; each returns the requester, or nil for an unknown email.
    static func batcher(client: PostgresClient) -> PostgresBatcher<String, ResetRequester?> {
        PostgresBatcher(maxBatch: 64, together: { try await lookUp($0, client: client) }, alone: { try await lookUp([$0], client: client)[0] })
    }

    /// The requesters of `emails`, in their order, in one statement.
    private static func lookUp(_ emails: [String], client: PostgresClient) async throws -> [ResetRequester?] {
        var requesters = [ResetRequester?](repeating: nil, count: emails.count)
        for try await (ordinal, requester) in try await client.execute(Statement(emails: emails))
        where requesters.indices.contains(ordinal - 1) && requesters[ordinal - 1] == nil {
            requesters[ordinal - 1] = requester
        }
        return requesters
    }

    /// Lookups as one prepared statement, each row tagged with its email's place (from 1). Its text
    /// is fixed (the emails are one array), so PostgreSQL parses and plans it once per connection.
    struct Statement: PostgresPreparedStatement {
        static let sql = """
            SELECT u.*, b.until, c.created_at, q.ord
            FROM unnest($1::text[]) WITH ORDINALITY AS q(email, ord)
            CROSS JOIN LATERAL (SELECT \(PostgresUserStore.columns) FROM users WHERE lower(email) = lower(q.email)) AS u
            LEFT JOIN reset_blocks b ON b.user_id = u.id LEFT JOIN reset_codes c ON c.user_id = u.id
            """
        static let bindingDataTypes: [PostgresDataType] = [.textArray]
        let emails: [String]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(emails)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (Int, ResetRequester) {
            let cells = Array(row)
            let requester = ResetRequester(
                user: try PostgresUserStore.user(from: cells), blockedUntil: try cells[11].decode(Double?.self).map(Date.init(timeIntervalSince1970:)),
                lastIssued: try cells[12].decode(Double?.self).map(Date.init(timeIntervalSince1970:)))
            return (Int(try cells[13].decode(Int64.self)), requester)
        }
    }
}
