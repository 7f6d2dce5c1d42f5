import Foundation

/// A fixed set of dedicated threads that run blocking work for async callers.
///
/// Work never runs on Swift concurrency's cooperative threads nor on an event loop. At most
/// `threadCount` jobs run at once; further callers are suspended (their continuation waits in a
/// FIFO queue, no thread is held) until a thread is free. The threads live until ``shutdown()``,
/// after which they finish the queued jobs and exit.
final class BlockingWorkerPool: @unchecked Sendable {
    /// Number of dedicated threads, the most jobs that run at once.
    let threadCount: Int
    /// Guards every mutable property below and signals waiting threads.
    private let condition = NSCondition()
    private var queue: [(@Sendable () -> Void)?] = []
    private var head = 0
    private var running = 0
    private var peak = 0
    private var isShutDown = false

    /// Starts `threadCount` threads (at least one), named `name #1`, `name #2`, ….
    init(threadCount: Int, name: String) {
        self.threadCount = max(1, threadCount)
        for index in 1...self.threadCount {
            // Named from inside: on Linux, setting `name` from outside renames the calling thread.
            let thread = Thread { [self] in
                Thread.current.name = "\(name) #\(index)"
                self.work()
            }
            thread.start()
        }
    }

    /// Runs `job` on one of the pool's threads and returns its result, suspending (not blocking) while it waits.
    func run<Result: Sendable>(_ job: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            enqueue { continuation.resume(returning: job()) }
        }
    }

    /// Lets the threads exit once the queue is empty. Jobs queued later never run.
    func shutdown() {
        condition.lock()
        isShutDown = true
        condition.broadcast()
        condition.unlock()
    }

    /// The most jobs that have run at the same moment since the pool started (for tests).
    var peakConcurrency: Int {
        condition.lock()
        defer { condition.unlock() }
        return peak
    }

    /// Jobs waiting for a thread (for tests).
    var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count - head
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// A thread's loop: take the oldest job, run it outside the lock, repeat; exit when shut down and idle.
    private func work() {
        while true {
            condition.lock()
            while head == queue.count, !isShutDown {
                condition.wait()
            }
            guard head < queue.count, let job = queue[head] else {
                condition.unlock()
                return
            }
            queue[head] = nil
            head += 1
            if head >= 64, head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            running += 1
            peak = max(peak, running)
            condition.unlock()

            job()

            condition.lock()
            running -= 1
            condition.unlock()
        }
    }
}
