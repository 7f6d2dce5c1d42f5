import Foundation
import Logging
import ResetPressEngine

/// Writes events into the site's ``EventStore`` and announces each as the action `resetpress_event`
/// (its kind as the argument: the Prometheus counters listen there).
///
/// Recording is best effort: a store that fails is logged, never turned into a failed request.
public struct EventRecorder: Sendable {
    /// The table the events go to.
    public let store: any EventStore
    private let hooks: HookRegistry?
    private let logger: Logger

    /// The name of the action fired for each event.
    public static let actionName = "resetpress_event"

    /// A recorder into `store`, announcing through `hooks` when given.
    public init(store: any EventStore, hooks: HookRegistry?, logger: Logger) {
        self.store = store
        self.hooks = hooks
        self.logger = logger
    }

    /// Records an event of `kind` at `at`.
    public func record(_ kind: ResetEventKind, at: Date, clientIP: String? = nil, deliverySeconds: Double? = nil) async {
        do {
            try await store.record(ResetEvent(kind, at: at, clientIP: clientIP, deliverySeconds: deliverySeconds))
        } catch {
            logger.error("event not recorded", metadata: ["kind": "\(kind.rawValue)", "error": "\(error)"])
        }
        await hooks?.doAction(Self.actionName, kind.rawValue)
    }
}
