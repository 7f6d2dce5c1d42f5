import Foundation
import PostgresNIO
import ResetPressStorage

/// Batches concurrent reset-code issues into one statement (``PostgresIssueBatchStatement``), so one
/// round trip and one commit serve many requests, as SQLite's group committer does.
///
/// A second issue for a user already in the gathering batch waits for the next one, so the later
/// request's code wins, as with one statement each. A batch of one runs ``PostgresIssueStatement``.
enum PostgresIssueCommitter {
    /// One code to issue and the effects that commit with it.
    struct Issue: Sendable {
        let code: NewResetCode
        let effects: ResetEffects
    }

    /// The batcher of `client`'s issues; each returns its code's new id once committed.
    static func batcher(client: PostgresClient) -> PostgresBatcher<Issue, Int64> {
        PostgresBatcher(maxBatch: 64, key: { $0.code.userID }, together: { try await together($0, client: client) }, alone: { issue in
            for try await id in try await client.execute(PostgresIssueStatement(code: issue.code, effects: issue.effects)) { return id }
            throw PostgresStorageError.unreadableRow("INSERT INTO reset_codes returned no id.")
        })
    }

    /// The batch in one statement; the new ids in the batch's order.
    private static func together(_ batch: [Issue], client: PostgresClient) async throws -> [Int64] {
        var ids = [Int64](repeating: 0, count: batch.count)
        var returned = 0
        let statement = PostgresIssueBatchStatement(changes: batch.map { ($0.code, $0.effects) })
        for try await row in try await client.execute(statement) {
            ids[Int(row.ordinal) - 1] = row.id
            returned += 1
        }
        guard returned == batch.count else { throw PostgresStorageError.unreadableRow("The batched issue returned \(returned) of \(batch.count) ids.") }
        return ids
    }
}
