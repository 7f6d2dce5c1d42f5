/// One registered callback of a hook.
struct HookEntry: Sendable {
    /// How the callback is run.
    enum Callback: Sendable {
        /// A Swift filter; takes and returns the value as an existential.
        case filter(@Sendable (any Sendable, HookContext) async throws -> any Sendable)
        /// A Swift action.
        case action(@Sendable (any Sendable, HookContext) async throws -> Void)
        /// An executable under `hooks/`.
        case executable(ExecutableHook)
    }

    let id: UInt64
    let label: String
    let callback: Callback
}

/// The callbacks of one hook, grouped by ascending priority. Immutable: a change makes a new table.
struct HookTable: Sendable {
    var priorities: [Int] = []
    var buckets: [[HookEntry]] = []

    var isEmpty: Bool { priorities.isEmpty }

    /// The index of the first priority strictly above `priority` (or the first one when nil).
    @inline(__always)
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
