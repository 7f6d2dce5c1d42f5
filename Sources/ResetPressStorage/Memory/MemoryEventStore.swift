import Foundation
import Synchronization

/// An ``EventStore`` in this process's memory: for tests, examples and hosts without storage.
public final class MemoryEventStore: EventStore {
    private let events = Mutex<[ResetEvent]>([])

    /// Creates an empty store.
    public init() {}

    public func record(_ events: [ResetEvent]) async throws {
        append(events)
    }

    /// Appends `events` at once; the memory stores that change state call it while holding their own lock.
    func append(_ new: [ResetEvent]) {
        if new.isEmpty { return }
        events.withLock { $0.append(contentsOf: new) }
    }

    public func counts(from: Date, to: Date) async throws -> [ResetEventKind: Int] {
        within(from, to).reduce(into: [:]) { counts, event in counts[event.kind, default: 0] += 1 }
    }

    public func deliveryTimes(from: Date, to: Date) async throws -> [Double] {
        within(from, to).filter { $0.kind == .mailSent }.compactMap(\.deliverySeconds).sorted()
    }

    public func topRefusedIPs(from: Date, to: Date, limit: Int) async throws -> [(ip: String, count: Int)] {
        let counts = within(from, to).reduce(into: [String: Int]()) { counts, event in
            if ResetEventKind.refusals.contains(event.kind), let ip = event.clientIP { counts[ip, default: 0] += 1 }
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(max(0, limit)).map { (ip: $0.key, count: $0.value) }
    }

    public func deleteOlder(than date: Date) async throws -> Int {
        events.withLock { events in
            let before = events.count
            events.removeAll { $0.at < date }
            return before - events.count
        }
    }

    /// Deletes the events of `userID` (the code store deletes a user's data while holding its lock).
    func removeAll(userID: Int64) {
        events.withLock { $0.removeAll { $0.userID == userID } }
    }

    public func events(userID: Int64, limit: Int) async throws -> [ResetEvent] {
        events.withLock { events in Array(events.filter { $0.userID == userID }.reversed().sorted { $0.at > $1.at }.prefix(max(0, limit))) }
    }

    private func within(_ from: Date, _ to: Date) -> [ResetEvent] {
        events.withLock { $0.filter { $0.at >= from && $0.at < to } }
    }
}
