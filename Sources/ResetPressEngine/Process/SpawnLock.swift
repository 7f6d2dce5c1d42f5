import Foundation

/// The process-wide lock that keeps child-process starts apart from descriptors that must not be inherited.
///
/// Foundation's `Process` on Linux starts a child with `posix_spawn` (a vfork-style clone, then `exec`) and
/// closes, in the child, every descriptor above 2 that `/proc/self/fd` listed just before the clone; it does not
/// set close-on-exec. Two windows remain: between the clone and the `exec` the child holds a copy of every
/// descriptor, and one opened by another thread after the listing survives the `exec` unless it is close-on-exec.
/// A copy of a write descriptor to a program makes `exec` of that program fail with `ETXTBSY` ("Text file busy").
///
/// So every start of a child (``ChildProcess`` and the tests' helpers) runs under this lock, and so does every
/// creation of a descriptor that is not close-on-exec: the pipes a start hands over, and a write descriptor to a
/// file that will be executed. `run()` returns only after the child's `exec`, so no child can inherit either.
public enum SpawnLock {
    private static let lock = NSLock()

    /// Runs `body` while no other holder of the lock starts a child or opens such a descriptor.
    public static func withLock<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
