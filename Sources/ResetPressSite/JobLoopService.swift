import ResetPressEngine
import ServiceLifecycle
import Synchronization

/// The job scheduler's loop as a swift-service-lifecycle `Service`: due jobs run every second; on
/// graceful shutdown the loop stops after the round in progress, so a running job finishes.
public struct JobLoopService: Service {
    let jobs: JobScheduler

    /// Runs the loop until graceful shutdown or cancellation.
    public func run() async throws {
        let stopping = StopFlag()
        await withGracefulShutdownHandler {
            await jobs.runLoop(while: { !stopping.isSet })
        } onGracefulShutdown: {
            stopping.set()
        }
    }
}

/// A flag set once, read from any task.
private final class StopFlag: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.withLock { $0 } }

    func set() { value.withLock { $0 = true } }
}
