import ResetPressEngine
import ResetPressStorage

/// The webhook deliveries that report a flow's state change, asked for before the change so that
/// they commit in its transaction: a crash can lose neither the change nor its report.
///
/// The webhooks plugin supplies them (``ResetPressSite`` wires it); ``none`` reports nothing.
public struct ResetWebhooks: Sendable {
    /// The deliveries that report `action` (`reset_password_request`, `password_reset`,
    /// `reset_password_cancelled`) with `argument` for the user in `context`; none when webhooks
    /// are off or no URL is listed for the action.
    public let deliveries: @Sendable (_ action: String, _ argument: String, _ context: HookContext) -> [QueuedWebhook]
    /// Wakes the sender once a change that queued deliveries has committed.
    public let queued: @Sendable () -> Void

    public init(
        deliveries: @escaping @Sendable (_ action: String, _ argument: String, _ context: HookContext) -> [QueuedWebhook],
        queued: @escaping @Sendable () -> Void
    ) {
        self.deliveries = deliveries
        self.queued = queued
    }

    /// Reports nothing (a host without webhooks).
    public static let none = ResetWebhooks(deliveries: { _, _, _ in [] }, queued: {})
}
