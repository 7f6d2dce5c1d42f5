import ServiceLifecycle

/// The webhook sender as a swift-service-lifecycle `Service`, for Hummingbird's `Application(services:)`.
///
/// It drains whenever an event queues deliveries and every second; on graceful shutdown it stops
/// after the drain in progress, so a call being made is finished and marked, never cut off.
public struct WebhookSenderService: Service {
    let sender: WebhookSender
    let tick: Duration

    /// Runs the sender until graceful shutdown or cancellation.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await sender.run(tick: tick)
        } onGracefulShutdown: {
            sender.finish()
        }
    }
}
