import Logging
import Synchronization

/// WordPress-style filters and actions, typed for Swift and safe to use from any task.
///
/// Callbacks run by ascending priority, then in the order they were added. While a hook runs,
/// the priority being run is a snapshot (callbacks added to it or removed from it take effect
/// on the next run) and later priorities are live (read again when the run reaches them).
/// Nested runs of one hook each keep their own cursor. A callback that removes itself never
/// makes the next priority be skipped (WordPress Trac #64653). A callback that throws, a value
/// of the wrong type, or a failing executable hook is skipped with a warning: the value passes
/// through unchanged.
public final class HookRegistry: Sendable {
    /// One hook's callbacks and how often it ran as an action: one entry, so that a run finds both with one hash.
    private struct Hook {
        var table = HookTable()
        var actionCount = 0

        /// The table, or nil when the hook has no callbacks.
        var callbacks: HookTable? { table.isEmpty ? nil : table }

        /// Counts a run as an action and returns the callbacks to run.
        mutating func countRun() -> HookTable? {
            actionCount += 1
            return callbacks
        }
    }

    private struct State {
        var hooks: [String: Hook] = [:]
        var nextID: UInt64 = 1
    }

    private let state = Mutex(State())
    /// Executable hooks found but not run, with why (``FileTrust``).
    private let refused = Mutex<[ExecutableHook.Refusal]>([])
    /// Bumped on every change, so a run re-reads its table only when something changed.
    private let generation = Atomic<UInt64>(0)
    let logger: Logger

    /// Creates an empty registry that logs skipped callbacks to `logger`.
    public init(logger: Logger = Logger(label: "resetpress.hooks")) {
        self.logger = logger
    }

    // MARK: - Registration

    /// Adds a filter: `callback` gets the value and returns the new value.
    @discardableResult
    public func addFilter<Value: Sendable>(
        _ name: String, priority: Int = 10, label: String = "swift",
        _ callback: @escaping @Sendable (Value, HookContext) throws -> Value
    ) -> HookHandle {
        add(name, priority: priority, label: label, .filter(FilterBox(callback)))
    }

    /// Adds a filter that awaits (a lookup, a network call) before returning the new value.
    @discardableResult
    public func addAsyncFilter<Value: Sendable>(
        _ name: String, priority: Int = 10, label: String = "swift",
        _ callback: @escaping @Sendable (Value, HookContext) async throws -> Value
    ) -> HookHandle {
        add(name, priority: priority, label: label, .asyncFilter(AsyncFilterBox(callback)))
    }

    /// Adds an action: `callback` gets the argument; its result is ignored.
    @discardableResult
    public func addAction<Argument: Sendable>(
        _ name: String, priority: Int = 10, label: String = "swift",
        _ callback: @escaping @Sendable (Argument, HookContext) async throws -> Void
    ) -> HookHandle {
        add(name, priority: priority, label: label, .action(ActionBox(callback)))
    }

    /// Adds an executable hook; it acts as a filter or an action depending on how the hook is run.
    @discardableResult
    public func addExecutable(_ hook: ExecutableHook) -> HookHandle {
        add(hook.hookName, priority: hook.priority, label: hook.label, .executable(hook))
    }

    /// Removes a callback; true when it was registered. Safe during a run (see the type's summary).
    @discardableResult
    public func remove(_ handle: HookHandle) -> Bool {
        let removed = state.withLock { state -> Bool in
            state.hooks[handle.name]?.table.remove(id: handle.id, priority: handle.priority) ?? false
        }
        if removed { generation.add(1, ordering: .releasing) }
        return removed
    }

    /// Lists an executable hook that is not run (another user may change it), for `hooks list`.
    public func addRefused(_ refusal: ExecutableHook.Refusal) {
        refused.withLock { $0.append(refusal) }
    }

    /// Removes every executable hook, and forgets the refused ones (before the `hooks/` folder is read again).
    public func removeExecutables() {
        refused.withLock { $0.removeAll() }
        state.withLock { state in
            for (name, var hook) in state.hooks {
                for index in hook.table.buckets.indices {
                    hook.table.buckets[index].removeAll { if case .executable = $0.callback { true } else { false } }
                }
                let kept = zip(hook.table.priorities, hook.table.buckets).filter { !$0.1.isEmpty }
                hook.table.priorities = kept.map(\.0)
                hook.table.buckets = kept.map(\.1)
                state.hooks[name] = hook
            }
        }
        generation.add(1, ordering: .releasing)
    }

    /// Whether any callback is registered for the hook.
    public func hasHooks(_ name: String) -> Bool {
        let name = HookName.normalize(name)
        return state.withLock { $0.hooks[name]?.callbacks != nil }
    }

    /// How many times the action has been run.
    public func didAction(_ name: String) -> Int {
        let name = HookName.normalize(name)
        return state.withLock { $0.hooks[name]?.actionCount ?? 0 }
    }

    /// Every registered callback in run order, then the refused executable hooks, for `resetpress hooks list`.
    public func listing() -> [HookListing] {
        let refusals = refused.withLock { $0 }.map { refusal in
            HookListing(
                hook: refusal.hook.hookName, priority: refusal.hook.priority, label: refusal.hook.label,
                kind: .refused(path: refusal.hook.path, reason: refusal.reason))
        }
        return state.withLock { state in
            state.hooks.keys.sorted().flatMap { name in
                state.hooks[name]!.table.runOrder.map { priority, entry in
                    let kind: HookListing.Kind
                    switch entry.callback {
                    case .filter, .asyncFilter: kind = .swiftFilter
                    case .action: kind = .swiftAction
                    case .executable(let hook): kind = .executable(path: hook.path)
                    }
                    return HookListing(hook: name, priority: priority, label: entry.label, kind: kind)
                }
            }
        } + refusals
    }

    private func add(_ name: String, priority: Int, label: String, _ callback: HookEntry.Callback) -> HookHandle {
        let name = HookName.normalize(name)
        let handle = state.withLock { state -> HookHandle in
            let id = state.nextID
            state.nextID += 1
            state.hooks[name, default: Hook()].table.insert(HookEntry(id: id, label: label, callback: callback), priority: priority)
            return HookHandle(name: name, priority: priority, id: id)
        }
        generation.add(1, ordering: .releasing)
        return handle
    }

    // MARK: - Running

    /// Runs the filters of a hook over `value` and returns the result.
    ///
    /// When `reject` is given, each callback's result is checked with it: a result it names a fault
    /// in (returns a reason) is bad output, so that callback is skipped with a warning and the value
    /// it got passes on unchanged. Inlined into the caller so that a hook of synchronous Swift
    /// filters costs no async frame.
    @inlinable
    public func applyFilters<Value: Sendable & Codable>(
        _ name: String, _ value: Value, context: HookContext = .empty, rejecting reject: (@Sendable (Value) -> String?)? = nil
    ) async -> Value {
        let name = HookName.normalize(name)
        var seen = currentGeneration()
        guard var table = table(named: name) else { return value }
        var value = value
        var current: Int? = nil
        while true {
            if !refresh(name, &table, &seen) { return value }
            guard let index = table.firstIndex(after: current) else { return value }
            current = table.priorities[index]
            let bucket = table.buckets[index]
            for position in bucket.indices {
                let result: Value
                if case .filter(let box) = bucket[position].callback, box.valueType == ObjectIdentifier(Value.self) {
                    do {
                        // The type tag matched, so the box is a FilterBox<Value>.
                        result = try unsafeDowncast(box, to: FilterBox<Value>.self).call(value, context)
                    } catch {
                        warn(name, priority: table.priorities[index], bucket[position], error)
                        continue
                    }
                } else {
                    result = await runSlow(bucket[position], name: name, priority: table.priorities[index], value: value, context: context)
                }
                if let reject, let fault = reject(result) {
                    warn(name, priority: table.priorities[index], bucket[position], HookOutputRejected(reason: fault))
                } else {
                    value = result
                }
            }
        }
    }

    /// Runs an awaiting, executable or mistyped filter; a failure leaves the value as it was.
    @usableFromInline
    func runSlow<Value: Sendable & Codable>(_ entry: HookEntry, name: String, priority: Int, value: Value, context: HookContext) async -> Value {
        do {
            switch entry.callback {
            case .asyncFilter(let box):
                guard let filter = box as? AsyncFilterBox<Value> else { throw HookTypeMismatch(expected: Value.self, registered: box) }
                return try await filter.call(value, context)
            case .executable(let hook):
                return try await hook.filter(value, context: context)
            case .filter(let box):
                throw HookTypeMismatch(expected: Value.self, registered: box)
            case .action:
                return value
            }
        } catch {
            warn(name, priority: priority, entry, error)
            return value
        }
    }

    /// The hook's table, if it has callbacks.
    @usableFromInline
    func table(named name: String) -> HookTable? {
        state.withLock { $0.hooks[name]?.callbacks }
    }

    /// The change counter, read before a run.
    @usableFromInline
    func currentGeneration() -> UInt64 {
        generation.load(ordering: .acquiring)
    }

    /// Runs the actions of a hook with `argument`.
    public func doAction<Argument: Sendable & Codable>(_ name: String, _ argument: Argument, context: HookContext = .empty) async {
        let name = HookName.normalize(name)
        var seen = generation.load(ordering: .acquiring)
        let found = state.withLock { $0.hooks[name, default: Hook()].countRun() }
        guard var table = found else { return }
        var current: Int? = nil
        while true {
            if !refresh(name, &table, &seen) { return }
            guard let index = table.firstIndex(after: current) else { return }
            current = table.priorities[index]
            for entry in table.buckets[index] {
                do {
                    switch entry.callback {
                    case .action(let box):
                        guard let action = box as? ActionBox<Argument> else { throw HookTypeMismatch(expected: Argument.self, registered: box) }
                        try await action.call(argument, context)
                    case .executable(let hook):
                        try await hook.act(argument, context: context)
                    case .filter, .asyncFilter:
                        break
                    }
                } catch {
                    warn(name, priority: table.priorities[index], entry, error)
                }
            }
        }
    }

    /// Re-reads the table when anything changed since `seen`, so later priorities are live;
    /// false when the hook has no callbacks left.
    @usableFromInline
    func refresh(_ name: String, _ table: inout HookTable, _ seen: inout UInt64) -> Bool {
        let now = generation.load(ordering: .acquiring)
        guard now != seen else { return true }
        seen = now
        guard let fresh = state.withLock({ $0.hooks[name]?.callbacks }) else { return false }
        table = fresh
        return true
    }

    @usableFromInline
    func warn(_ name: String, priority: Int, _ entry: HookEntry, _ error: any Error) {
        logger.warning("hook skipped", metadata: [
            "hook": "\(name)", "priority": "\(priority)", "callback": "\(entry.label)", "error": "\(error)",
        ])
    }
}

/// One line of `resetpress hooks list`.
public struct HookListing: Sendable, Equatable {
    /// What kind of callback this is.
    public enum Kind: Sendable, Equatable {
        case swiftFilter, swiftAction
        case executable(path: String)
        /// An executable hook that is not run, and why (see ``FileTrust``).
        case refused(path: String, reason: String)
    }

    public let hook: String
    public let priority: Int
    public let label: String
    public let kind: Kind
}

/// A filter returned a value its hook's caller refuses (for instance a mail template without the code).
@usableFromInline
struct HookOutputRejected: Error, CustomStringConvertible {
    @usableFromInline let reason: String

    @usableFromInline init(reason: String) { self.reason = reason }

    @usableFromInline var description: String { "returned an unusable value (\(reason))" }
}

/// A callback met a value of another type than it was registered for.
struct HookTypeMismatch: Error, CustomStringConvertible {
    let expected: Any.Type
    let registered: any AnyObject & Sendable
    var description: String { "hook run with \(expected), callback registered as \(type(of: registered))" }
}
