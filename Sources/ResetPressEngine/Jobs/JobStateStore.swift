import Foundation
import Synchronization

/// What is remembered of a scheduled job between runs and restarts.
public struct JobState: Sendable, Equatable {
    public var name: String
    public var lastRunAt: Date?
    /// `ok` or the error text of the last run.
    public var lastStatus: String?
    public var runs: Int

    public init(name: String, lastRunAt: Date?, lastStatus: String?, runs: Int) {
        self.name = name
        self.lastRunAt = lastRunAt
        self.lastStatus = lastStatus
        self.runs = runs
    }
}

/// Persists job runs so that intervals and `run_once` hold across restarts.
public protocol JobStateStore: Sendable {
    /// The state of every job that has run at least once.
    func all() async throws -> [JobState]

    /// Records a finished run: sets `lastRunAt` and `lastStatus`, adds one to `runs`
    /// (creating the row on the first run).
    func recordRun(name: String, at: Date, status: String) async throws
}

/// Job state in memory, for tests and embedding without a database.
public final class MemoryJobStateStore: JobStateStore {
    private let states = Mutex<[String: JobState]>([:])

    public init() {}

    public func all() async throws -> [JobState] {
        states.withLock { $0.values.sorted { $0.name < $1.name } }
    }

    public func recordRun(name: String, at date: Date, status: String) async throws {
        states.withLock { states in
            var state = states[name] ?? JobState(name: name, lastRunAt: nil, lastStatus: nil, runs: 0)
            state.lastRunAt = date
            state.lastStatus = status
            state.runs += 1
            states[name] = state
        }
    }
}
