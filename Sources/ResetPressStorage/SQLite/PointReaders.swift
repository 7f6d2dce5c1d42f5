import Foundation
import GRDB
import Synchronization

/// The read-only connections that the request path's point reads run on: the user lookup, the
/// requester and the current code.
///
/// A read takes an idle connection and gives it back under one lock, on the calling thread. The
/// pool's own checkout costs a dispatch barrier, a semaphore, a group and a key path per read (about
/// 44k instructions under callgrind, against the lookup's own 50k). Connections open on first need,
/// up to `maximum`; when all are busy a read goes through the pool, so a burst waits for no one.
final class PointReaders: Sendable {
    private struct State {
        var idle: [DatabaseQueue] = []
        var opened = 0
    }

    private let state = Mutex(State())
    private let path: String
    private let pool: DatabasePool
    /// How many connections may be open at once.
    let maximum: Int

    /// Readers of the WAL-mode file at `path`, which `pool` has opened (and so made WAL).
    init(path: String, pool: DatabasePool, maximum: Int = 4) {
        self.path = path
        self.pool = pool
        self.maximum = maximum
    }

    /// How many connections are open.
    var opened: Int { state.withLock { $0.opened } }

    /// Runs one SELECT on the calling thread, outside a transaction: even from async code, where
    /// the compiler would otherwise pick the async read and its hops to and from a reader queue.
    /// For a single short indexed lookup only (one statement is atomic on its own, and the caller's
    /// thread waits for it).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        guard let reader = try checkOut() else { return try pool.unsafeRead(body) }
        defer { state.withLock { $0.idle.append(reader) } }
        return try reader.unsafeRead(body)
    }

    /// An idle connection, a new one while fewer than `maximum` are open, else nil.
    private func checkOut() throws -> DatabaseQueue? {
        let (idle, mayOpen) = state.withLock { state -> (DatabaseQueue?, Bool) in
            if let reader = state.idle.popLast() { return (reader, false) }
            guard state.opened < maximum else { return (nil, false) }
            state.opened += 1
            return (nil, true)
        }
        if let idle { return idle }
        guard mayOpen else { return nil }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(10)
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            state.withLock { $0.opened -= 1 }
            throw error
        }
    }
}
