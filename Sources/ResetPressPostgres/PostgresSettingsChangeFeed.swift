import Foundation
import PostgresNIO
import ResetPressEngine
import Synchronization

/// The settings change feed over PostgreSQL's `LISTEN`/`NOTIFY` on channel `resetpress_settings`.
///
/// `PostgresSettingsStore.apply` sends the changed keys as a JSON array in the write's own
/// transaction; PostgreSQL delivers it to every listening connection once the write commits,
/// usually within milliseconds. Each `changes()` stream leases one pooled connection for as long
/// as it runs; if that connection drops, the feed listens again on a new one after half a
/// second and yields `[]` (reload everything), since notifications sent meanwhile were lost.
public struct PostgresSettingsChangeFeed: SettingsChangeFeed {
    let client: PostgresClient
    let listeners: ListenerTasks

    /// The notification channel.
    public static let channel = "resetpress_settings"

    /// The NOTIFY payload for a write of `keys`: a JSON array, or `[]` when it would not fit
    /// PostgreSQL's 8000-byte payload limit.
    static func payload(forKeys keys: [String]) -> String {
        let json = (try? JSONEncoder().encode(keys)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return json.utf8.count < 7900 ? json : "[]"
    }

    public func changes() async throws -> AsyncStream<[String]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [String].self, bufferingPolicy: .bufferingNewest(1000))
        let client = self.client
        let ready = ReadySignal()
        let id = UUID()
        let listeners = self.listeners
        let task = Task {
            defer {
                ready.fail(PostgresStorageError.shutDown)
                continuation.finish()
                listeners.remove(id)
            }
            var listening = false
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: Self.channel) { notifications in
                            if listening { continuation.yield([]) }
                            listening = true
                            ready.succeed()
                            for try await notification in notifications {
                                continuation.yield(Self.keys(fromPayload: notification.payload))
                            }
                        }
                    }
                } catch {
                    if !listening {
                        ready.fail(error)
                        return
                    }
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        guard listeners.add(id, task) else { throw PostgresStorageError.shutDown }
        try await ready.wait()
        return stream
    }

    /// The keys a payload names; `[]` for a payload that is not a JSON array of strings.
    static func keys(fromPayload payload: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(payload.utf8))) ?? []
    }
}

/// A one-time signal that the listener is in place, or why it could not be.
final class ReadySignal: Sendable {
    private let state = Mutex<(result: Result<Void, any Error>?, waiter: CheckedContinuation<Void, any Error>?)>((nil, nil))

    /// Reports success; later reports are ignored.
    func succeed() { finish(.success(())) }

    /// Reports failure; later reports are ignored.
    func fail(_ error: any Error) { finish(.failure(error)) }

    /// Waits for the first report.
    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let result = state.withLock { state -> Result<Void, any Error>? in
                if state.result == nil { state.waiter = continuation }
                return state.result
            }
            if let result { continuation.resume(with: result) }
        }
    }

    private func finish(_ result: Result<Void, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }
}
