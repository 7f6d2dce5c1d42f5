import Foundation
import Logging
import ResetPressEngine

/// Writes events into the site's ``EventStore`` and announces each as the action `resetpress_event`
/// (its kind as the argument: the Prometheus counters listen there).
///
/// Events that describe a state change are written by the store making the change, in its
/// transaction, and only announced here once it committed; ``record(_:)`` writes the others.
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

    /// Writes `events` (a refusal that changes no state), then announces them.
    public func record(_ events: [ResetEvent]) async {
        do {
            try await store.record(events)
        } catch {
            logger.error("events not recorded", metadata: ["kinds": "\(events.map(\.kind.rawValue))", "error": "\(error)"])
        }
        await announce(events)
    }

    /// Announces `events` that a store already wrote with its state change.
    public func announce(_ events: [ResetEvent]) async {
        guard let hooks else { return }
        for event in events { await hooks.doAction(Self.actionName, event.kind.rawValue) }
    }
}
