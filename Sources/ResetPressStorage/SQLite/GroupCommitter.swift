import GRDB
import Synchronization

/// Batches concurrent write transactions into one commit, so one fsync serves many requests.
///
/// A batch first runs its writes back to back in one transaction. When one of them throws, that
/// transaction is rolled back and the batch runs again with each write in its own savepoint:
/// the failing write is rolled back alone and its caller gets the error, the others go on
/// (writes are plain functions of the database, so running one again is safe). A caller is
/// resumed only after the transaction holding its write has committed (or failed as a whole),
/// so "returned" still means "on disk". While one batch commits, the next one gathers.
final class GroupCommitter: Sendable {
    private struct Pending: Sendable {
        let work: @Sendable (Database) throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var flushing = false
    }

    private let pool: DatabasePool
    private let state = Mutex(State())

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `work` in the next batch's transaction and returns its result once committed.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let startFlushing = state.withLock { state -> Bool in
                state.pending.append(Pending(work: work, continuation: continuation))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if startFlushing { Task { await self.flush() } }
        }
        guard let typed = result as? T else { throw GroupCommitError.unexpectedResult }
        return typed
    }

    /// Commits batches until nothing is pending.
    private func flush() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                let batch = state.pending
                state.pending = []
                if batch.isEmpty { state.flushing = false }
                return batch
            }
            if batch.isEmpty { return }
            let works = batch.map(\.work)
            let results: [Result<any Sendable, any Error>]
            do {
                results = try await pool.writeWithoutTransaction { db in
                    try Self.inTransaction(db) { try works.map { .success(try $0(db)) } }
                }
            } catch {
                results = await isolated(works)
            }
            for (pending, result) in zip(batch, results) {
                pending.continuation.resume(with: result)
            }
        }
    }

    private static let begin = HotStatement("BEGIN IMMEDIATE TRANSACTION")
    private static let commit = HotStatement("COMMIT TRANSACTION")

    /// `body` in one IMMEDIATE transaction whose `BEGIN` and `COMMIT` are prepared once per connection
    /// (`DatabasePool.write` prepares both again for every batch); rolled back when anything throws.
    private static func inTransaction<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.withStatement(begin) { try $0.execute() }
        do {
            let result = try body()
            try db.withStatement(commit) { try $0.execute() }
            return result
        } catch {
            if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK TRANSACTION") }
            throw error
        }
    }

    /// Runs a batch again with each write in its own savepoint, after one of them failed.
    private func isolated(_ works: [@Sendable (Database) throws -> any Sendable]) async -> [Result<any Sendable, any Error>] {
        do {
            return try await pool.write { db in
                works.map { work in
                    var outcome: Result<any Sendable, any Error> = .failure(GroupCommitError.unexpectedResult)
                    do {
                        try db.inSavepoint {
                            outcome = .success(try work(db))
                            return .commit
                        }
                    } catch {
                        outcome = .failure(error)
                    }
                    return outcome
                }
            }
        } catch {
            return Array(repeating: .failure(error), count: works.count)
        }
    }
}

/// A batched write returned something other than what its caller expects (a programming error).
enum GroupCommitError: Error {
    case unexpectedResult
}
