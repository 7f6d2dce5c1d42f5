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
public final class JobScheduler: Sendable {
    private let settings: SettingsEngine
    private let store: any JobStateStore
    private let logger: Logger
    private let jobs = Mutex<[String: Job]>([:])

    init(settings: SettingsEngine, store: any JobStateStore, logger: Logger) {
        self.settings = settings
        self.store = store
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

    /// Runs a job now and records the run; throws `JobError.unknown` for an unknown name.
    @discardableResult
    public func run(_ name: String, now: Date = Date()) async throws -> String {
        guard let job = jobs.withLock({ $0[name] }) else { throw JobError.unknown(name) }
        do {
            let summary = try await job.run()
            try await store.recordRun(name: name, at: now, status: "ok")
            return summary
        } catch {
            try await store.recordRun(name: name, at: now, status: "error: \(error)")
            throw error
        }
    }

    /// Runs due jobs every `tick` until the task is cancelled.
    public func runLoop(tick: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            await runDueJobs(now: Date())
            try? await Task.sleep(for: tick)
        }
    }

    /// Runs each active job whose interval has passed since its last run (once for `run_once`).
    public func runDueJobs(now: Date) async {
        guard let listing = try? await list() else { return }
        for entry in listing where entry.active {
            if let last = entry.state?.lastRunAt {
                if entry.runOnce || now.timeIntervalSince(last) < Double(entry.interval) { continue }
            }
            do {
                let summary = try await run(entry.job.name, now: now)
                logger.debug("job ran", metadata: ["job": "\(entry.job.name)", "result": "\(summary)"])
            } catch {
                logger.warning("job failed", metadata: ["job": "\(entry.job.name)", "error": "\(error)"])
            }
        }
    }
}

/// Why a job could not run.
public enum JobError: Error, CustomStringConvertible {
    case unknown(String)

    public var description: String {
        switch self {
        case .unknown(let name): "Unknown job '\(name)'. See `resetpress jobs list`."
        }
    }
}
