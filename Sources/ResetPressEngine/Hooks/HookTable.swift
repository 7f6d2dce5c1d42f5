/// A Swift filter of any value type; `valueType` tells which `FilterBox` it is without a dynamic cast.
@usableFromInline
class AnyFilterBox: @unchecked Sendable {
    @usableFromInline let valueType: ObjectIdentifier
    init(valueType: ObjectIdentifier) { self.valueType = valueType }
}

/// A Swift filter for values of one type.
@usableFromInline
final class FilterBox<Value>: AnyFilterBox, @unchecked Sendable {
    @usableFromInline let call: @Sendable (Value, HookContext) throws -> Value
    init(_ call: @escaping @Sendable (Value, HookContext) throws -> Value) {
        self.call = call
        super.init(valueType: ObjectIdentifier(Value.self))
    }
}

/// A Swift filter that awaits (network, database).
final class AsyncFilterBox<Value>: Sendable {
    let call: @Sendable (Value, HookContext) async throws -> Value
    init(_ call: @escaping @Sendable (Value, HookContext) async throws -> Value) { self.call = call }
}

/// A Swift action for arguments of one type.
final class ActionBox<Argument>: Sendable {
    let call: @Sendable (Argument, HookContext) async throws -> Void
    init(_ call: @escaping @Sendable (Argument, HookContext) async throws -> Void) { self.call = call }
}

/// One registered callback of a hook.
@usableFromInline
struct HookEntry: Sendable {
    /// How the callback is run.
    @usableFromInline
    enum Callback: Sendable {
        /// A synchronous Swift filter (a `FilterBox<Value>`).
        case filter(AnyFilterBox)
        /// An asynchronous Swift filter (`AsyncFilterBox<Value>`).
        case asyncFilter(any AnyObject & Sendable)
        /// A Swift action (`ActionBox<Argument>`).
        case action(any AnyObject & Sendable)
        /// An executable under `hooks/`.
        case executable(ExecutableHook)
    }

    let id: UInt64
    @usableFromInline let label: String
    @usableFromInline let callback: Callback
}

/// The callbacks of one hook, grouped by ascending priority. Immutable: a change makes a new table.
@usableFromInline
struct HookTable: Sendable {
    @usableFromInline var priorities: [Int] = []
    @usableFromInline var buckets: [[HookEntry]] = []

    var isEmpty: Bool { priorities.isEmpty }

    /// The index of the first priority strictly above `priority` (or the first one when nil).
    @inlinable
    func firstIndex(after priority: Int?) -> Int? {
        guard let priority else { return priorities.isEmpty ? nil : 0 }
        for index in priorities.indices where priorities[index] > priority { return index }
        return nil
    }

    /// Appends an entry at a priority, after the ones already there.
    mutating func insert(_ entry: HookEntry, priority: Int) {
        if let index = priorities.firstIndex(of: priority) {
            buckets[index].append(entry)
            return
        }
        let position = priorities.firstIndex { $0 > priority } ?? priorities.count
        priorities.insert(priority, at: position)
        buckets.insert([entry], at: position)
    }

    /// Removes the entry with this id; true when it was there.
    mutating func remove(id: UInt64, priority: Int) -> Bool {
        guard let index = priorities.firstIndex(of: priority),
              let position = buckets[index].firstIndex(where: { $0.id == id })
        else { return false }
        buckets[index].remove(at: position)
        if buckets[index].isEmpty {
            priorities.remove(at: index)
            buckets.remove(at: index)
        }
        return true
    }

    /// Every entry in run order, with its priority.
    var runOrder: [(priority: Int, entry: HookEntry)] {
        zip(priorities, buckets).flatMap { priority, entries in entries.map { (priority, $0) } }
    }
}
