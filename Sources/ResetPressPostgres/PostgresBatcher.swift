import Synchronization

/// Gathers concurrent calls into batches, so that one statement and one round trip serve many callers.
///
/// While one batch runs, the next gathers, up to `maxBatch` items; an item whose `key` is already in
/// the gathering batch waits for the next one (one statement cannot upsert a row twice). A batch of
/// one runs `alone`. When a batch's statement fails, each of its items runs `alone`, so only a
/// failing item's caller gets the error. A caller is resumed only once the statement holding its
/// item has finished: for a write, once it has committed.
final class PostgresBatcher<Item: Sendable, Output: Sendable>: Sendable {
    private struct Pending: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var flushing = false
    }

    /// The most items one statement carries.
    let maxBatch: Int
    private let key: @Sendable (Item) -> Int64?
    private let together: @Sendable ([Item]) async throws -> [Output]
    private let alone: @Sendable (Item) async throws -> Output
    private let state = Mutex(State())

    /// A batcher that runs several items with `together` (its outputs in the items' order) and one with `alone`;
    /// items with the same non-nil `key` never share a batch.
    init(
        maxBatch: Int, key: @escaping @Sendable (Item) -> Int64? = { _ in nil },
        together: @escaping @Sendable ([Item]) async throws -> [Output], alone: @escaping @Sendable (Item) async throws -> Output
    ) {
        self.maxBatch = maxBatch
        self.key = key
        self.together = together
        self.alone = alone
    }

    /// Runs `item` in the next batch and returns its output.
    func run(_ item: Item) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let startFlushing = state.withLock { state -> Bool in
                state.pending.append(Pending(item: item, continuation: continuation))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if startFlushing { Task { await self.flush() } }
        }
    }

    /// Runs batches until nothing is pending.
    private func flush() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                var keys = Set<Int64>()
                var batch: [Pending] = []
                var waiting: [Pending] = []
                for pending in state.pending {
                    if batch.count < maxBatch, key(pending.item).map({ keys.insert($0).inserted }) ?? true {
                        batch.append(pending)
                    } else {
                        waiting.append(pending)
                    }
                }
                state.pending = waiting
                if batch.isEmpty { state.flushing = false }
                return batch
            }
            if batch.isEmpty { return }
            if batch.count > 1, let outputs = try? await together(batch.map(\.item)), outputs.count == batch.count {
                for (pending, output) in zip(batch, outputs) { pending.continuation.resume(returning: output) }
                continue
            }
            for pending in batch {
                do {
                    pending.continuation.resume(returning: try await alone(pending.item))
                } catch {
                    pending.continuation.resume(throwing: error)
                }
            }
        }
    }
}
