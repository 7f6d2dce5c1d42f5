import Synchronization

/// Makes a scheduled job run on one node at a time.
///
/// The lock is advisory and per name: holders of different names never exclude each other.
/// It is not reentrant: a second `withLock` of a name that is already held, even from the same
/// node, does not run.
public protocol JobLock: Sendable {
    /// Runs `body` while holding the lock `name` and returns its result; returns nil at once,
    /// without running `body`, when someone else holds the lock. The lock is released when
    /// `body` returns or throws (its error is rethrown), and when the holding process dies.
    ///
    /// A node that wins the lock should re-read the job's state (last run) before running, since
    /// another node may have run it just before.
    func withLock<T: Sendable>(_ name: String, _ body: () async throws -> T) async throws -> T?
}

/// A job lock for one process: a name is held by at most one `withLock` at a time.
///
/// Enough when a single node owns the database (SQLite); a shared database needs a lock the
/// database itself holds, such as the PostgreSQL backend's advisory locks.
public final class LocalJobLock: JobLock {
    private let held = Mutex<Set<String>>([])

    /// Creates a lock with nothing held.
    public init() {}

    public func withLock<T: Sendable>(_ name: String, _ body: () async throws -> T) async throws -> T? {
        guard held.withLock({ $0.insert(name).inserted }) else { return nil }
        defer { _ = held.withLock { $0.remove(name) } }
        return try await body()
    }
}
