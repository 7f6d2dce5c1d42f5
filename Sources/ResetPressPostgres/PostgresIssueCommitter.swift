import Foundation
import PostgresNIO
import ResetPressStorage
import Synchronization

/// Batches concurrent reset-code issues into one statement (``PostgresIssueBatchStatement``), so one
/// round trip and one commit serve many requests, as SQLite's group committer does.
///
/// While one batch runs, the next gathers, up to ``maxBatch`` issues for distinct users (a second
/// issue for a user already in the batch waits for the next one, so the later request's code wins,
/// as with one statement each). A batch of one runs ``PostgresIssueStatement``. When a batch's
/// statement fails, each of its issues runs again on its own, so only the failing one's caller gets
/// the error. A caller is resumed only once its statement has committed (or failed).
final class PostgresIssueCommitter: Sendable {
    /// The most issues one statement carries.
    static let maxBatch = 64

    private struct Pending: Sendable {
        let code: NewResetCode
        let effects: ResetEffects
        let continuation: CheckedContinuation<Int64, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var flushing = false
    }

    private let client: PostgresClient
    private let state = Mutex(State())

    init(client: PostgresClient) {
        self.client = client
    }

    /// Issues `code` with `effects` in the next batch; returns the code's new id once committed.
    func issue(_ code: NewResetCode, effects: ResetEffects) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            let startFlushing = state.withLock { state -> Bool in
                state.pending.append(Pending(code: code, effects: effects, continuation: continuation))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if startFlushing { Task { await self.flush() } }
        }
    }

    /// Runs batches until nothing is pending.
    private func flush() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                var users = Set<Int64>()
                var batch: [Pending] = []
                var waiting: [Pending] = []
                for pending in state.pending {
                    if batch.count < Self.maxBatch, users.insert(pending.code.userID).inserted {
                        batch.append(pending)
                    } else {
                        waiting.append(pending)
                    }
                }
                state.pending = waiting
                if batch.isEmpty { state.flushing = false }
                return batch
            }
            if batch.isEmpty { return }
            if batch.count > 1, let ids = try? await together(batch) {
                for (pending, id) in zip(batch, ids) { pending.continuation.resume(returning: id) }
                continue
            }
            for pending in batch {
                do {
                    pending.continuation.resume(returning: try await alone(pending))
                } catch {
                    pending.continuation.resume(throwing: error)
                }
            }
        }
    }

    /// The batch in one statement; the new ids in the batch's order.
    private func together(_ batch: [Pending]) async throws -> [Int64] {
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

    /// One issue in its own statement.
    private func alone(_ pending: Pending) async throws -> Int64 {
        for try await id in try await client.execute(PostgresIssueStatement(code: pending.code, effects: pending.effects)) { return id }
        throw PostgresStorageError.unreadableRow("INSERT INTO reset_codes returned no id.")
    }
}
