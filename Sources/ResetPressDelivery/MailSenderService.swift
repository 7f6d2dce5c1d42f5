import ServiceLifecycle

/// The outbox sender as a swift-service-lifecycle `Service`, for Hummingbird's `Application(services:)`.
///
/// It drains whenever mail is queued and every second; on graceful shutdown it stops after the drain
/// in progress, so the message being sent is finished and marked, never cut off.
public struct MailSenderService: Service {
    let sender: OutboxSender

    /// The service running `sender`.
    public init(sender: OutboxSender) {
        self.sender = sender
    }

    /// Runs the sender until graceful shutdown or cancellation.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await sender.run()
        } onGracefulShutdown: {
            sender.finish()
        }
    }
}
