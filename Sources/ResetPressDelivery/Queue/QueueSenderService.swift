import ResetPressStorage
import ServiceLifecycle

/// A queue's sender as a swift-service-lifecycle `Service`, for Hummingbird's `Application(services:)`.
///
/// It drains whenever an entry is queued and every `tick`; on graceful shutdown it stops after the
/// drain in progress, so the delivery being made is finished and marked, never cut off.
public struct QueueSenderService<Payload: QueuePayload>: Service {
    let sender: QueueSender<Payload>
    let tick: Duration

    /// The service running `sender`, draining at least every `tick`.
    public init(sender: QueueSender<Payload>, tick: Duration = .seconds(1)) {
        self.sender = sender
        self.tick = tick
    }

    /// Runs the sender until graceful shutdown or cancellation.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await sender.run(tick: tick)
        } onGracefulShutdown: {
            sender.finish()
        }
    }
}
