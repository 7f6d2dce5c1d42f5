import Foundation
import Logging
import Synchronization

/// A recurring task a plugin registers (`flush_expired_password_resets`).
public struct Job: Sendable {
    /// The job's name; its settings are `jobs.<name>.interval`, `.run_once` and `.active`.
    public let name: String
    /// What the job does, for `resetpress jobs list`.
    public let description: String
    /// Seconds between runs unless `jobs.<name>.interval` says otherwise.
    public let defaultInterval: Int
    /// Does the work; returns a one-line summary (`"3 expired codes deleted"`).
    public let run: @Sendable () async throws -> String

    public init(name: String, description: String, defaultInterval: Int, run: @escaping @Sendable () async throws -> String) {
        self.name = name
        self.description = description
        self.defaultInterval = defaultInterval
        self.run = run
    }

    var intervalKey: SettingKey<Int> {
        SettingKey("jobs.\(name).interval", default: defaultInterval, kind: .int, description: "Seconds between runs of \(name).",
                   validate: { $0 >= 1 ? nil : "must be at least 1" })
    }

    var activeKey: SettingKey<Bool> {
        SettingKey("jobs.\(name).active", default: true, kind: .bool, description: "Whether \(name) runs on its schedule.")
    }

    var runOnceKey: SettingKey<Bool> {
        SettingKey("jobs.\(name).run_once", default: false, kind: .bool, description: "Run \(name) once, then never again.")
    }
}

/// Runs registered jobs on their intervals and on demand, remembering runs across restarts.
///
/// Every run happens inside `lock.withLock(jobName)`, so nodes sharing a database never run a
/// job at the same time; a scheduled run re-reads the job's state inside the lock and skips
/// when another node ran it meanwhile.
public final class JobScheduler: Sendable {
    private let settings: SettingsEngine
    private let store: any JobStateStore
    private let lock: any JobLock
    private let logger: Logger
    private let jobs = Mutex<[String: Job]>([:])

    init(settings: SettingsEngine, store: any JobStateStore, lock: any JobLock, logger: Logger) {
        self.settings = settings
        self.store = store
        self.lock = lock
        self.logger = logger
    }

    /// Registers a job and its three settings.
    public func register(_ job: Job) {
        settings.register(job.intervalKey)
        settings.register(job.activeKey)
        settings.register(job.runOnceKey)
        jobs.withLock { $0[job.name] = job }
    }

    /// Every job with its settings and last run, by name.
    public func list() async throws -> [(job: Job, interval: Int, active: Bool, runOnce: Bool, state: JobState?)] {
        let states = Dictionary(uniqueKeysWithValues: try await store.all().map { ($0.name, $0) })
        return jobs.withLock { Array($0.values) }.sorted { $0.name < $1.name }.map { job in
            (job, settings[job.intervalKey], settings[job.activeKey], settings[job.runOnceKey], states[job.name])
        }
    }

    /// Runs a job now and records the run; throws `JobError.unknown` for an unknown name and
    /// `JobError.busy` when it is running already (on this node or another).
    @discardableResult
    public func run(_ name: String, now: Date = Date()) async throws -> String {
        guard let job = jobs.withLock({ $0[name] }) else { throw JobError.unknown(name) }
        guard let summary = try await lock.withLock(name, { try await execute(job, now: now) }) else { throw JobError.busy(name) }
        return summary
    }

    /// Runs `job` and records the run; the caller holds the job's lock.
    private func execute(_ job: Job, now: Date) async throws -> String {
        let name = job.name
        do {
            let summary = try await job.run()
            try await store.recordRun(name: name, at: now, status: "ok")
            return summary
        } catch {
            try await store.recordRun(name: name, at: now, status: "error: \(error)")
            throw error
        }
    }

    /// Runs due jobs every `tick` until the task is cancelled or `keepRunning` says no (checked
    /// between rounds, so a job that started runs to its end).
    public func runLoop(tick: Duration = .seconds(1), while keepRunning: @escaping @Sendable () -> Bool = { true }) async {
        while !Task.isCancelled && keepRunning() {
            await runDueJobs(now: Date())
            try? await Task.sleep(for: tick)
        }
    }

    /// Runs each active job whose interval has passed since its last run (once for `run_once`).
    /// A job whose lock another node holds, or that another node ran since the listing, is skipped.
    public func runDueJobs(now: Date) async {
        guard let listing = try? await list() else { return }
        for entry in listing where entry.active && Self.isDue(entry.state, interval: entry.interval, runOnce: entry.runOnce, now: now) {
            let name = entry.job.name
            do {
                let ran = try await lock.withLock(name) { () async throws -> String? in
                    let state = try await store.all().first { $0.name == name }
                    guard Self.isDue(state, interval: entry.interval, runOnce: entry.runOnce, now: now) else { return nil }
                    return try await execute(entry.job, now: now)
                }
                if let summary = ran ?? nil {
                    logger.debug("job ran", metadata: ["job": "\(name)", "result": "\(summary)"])
                }
            } catch {
                logger.warning("job failed", metadata: ["job": "\(entry.job.name)", "error": "\(error)"])
            }
        }
    }

    /// Whether a job last run in `state` is due at `now`: never run, or not `runOnce` and `interval` seconds past.
    private static func isDue(_ state: JobState?, interval: Int, runOnce: Bool, now: Date) -> Bool {
        guard let last = state?.lastRunAt else { return true }
        return !runOnce && now.timeIntervalSince(last) >= Double(interval)
    }
}

/// Why a job could not run.
public enum JobError: Error, CustomStringConvertible {
    /// No job has this name.
    case unknown(String)
    /// The job is running already, here or on another node sharing the database.
    case busy(String)

    public var description: String {
        switch self {
        case .unknown(let name): "Unknown job '\(name)'. See `resetpress jobs list`."
        case .busy(let name): "Job '\(name)' is running already (here or on another node); try again when it ends."
        }
    }
}
