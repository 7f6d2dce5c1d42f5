import Foundation
import ResetPressEngine
import ResetPressPostgres
import ResetPressStorage
import Synchronization
import Testing

/// Engines of two nodes over one PostgreSQL database: the job lock and the settings feed wired in.
@Suite struct EngineOverPostgresTests {
    /// Starts an engine with no plugins over `database`, in an empty site folder.
    static func engine(_ database: PostgresDatabase) async throws -> Engine {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-engine-\(UUID().uuidString)")
        let engine = Engine(root: root, storage: SiteStorage(postgres: database), plugins: [], environment: [:])
        try await engine.start()
        return engine
    }

    @Test func aJobDueOnBothNodesRunsOnOneAtATimeAndOncePerInterval() async throws {
        try await withPostgres(nodes: 2) { nodes in
            let running = Mutex((now: 0, most: 0, runs: 0))
            let job = Job(name: "probe", description: "Counts overlapping runs.", defaultInterval: 60) {
                running.withLock { state in
                    state.now += 1
                    state.most = max(state.most, state.now)
                    state.runs += 1
                }
                try await Task.sleep(for: .milliseconds(100))
                running.withLock { $0.now -= 1 }
                return "ok"
            }
            var engines: [Engine] = []
            for node in nodes { engines.append(try await Self.engine(node)) }
            for engine in engines { engine.jobs.register(job) }
            for round in 0..<4 {
                let now = testTime(Double(round) * 120)
                await withTaskGroup(of: Void.self) { group in
                    for engine in engines { group.addTask { await engine.jobs.runDueJobs(now: now) } }
                }
            }
            let state = running.withLock { $0 }
            #expect(state.most == 1)
            #expect(state.runs == 4)
            #expect(try await nodes[0].jobStates.all().first { $0.name == "probe" }?.runs == 4)
            for engine in engines { engine.stop() }
        }
    }

    @Test func aRunOnDemandWhileAnotherNodeRunsTheJobIsRefusedAsBusy() async throws {
        try await withPostgres(nodes: 2) { nodes in
            var engines: [Engine] = []
            for node in nodes { engines.append(try await Self.engine(node)) }
            let job = Job(name: "slow", description: "Takes a while.", defaultInterval: 60) {
                try await Task.sleep(for: .milliseconds(500))
                return "done"
            }
            for engine in engines { engine.jobs.register(job) }
            let first = engines[0]
            let running = Task { try await first.jobs.run("slow") }
            try await Task.sleep(for: .milliseconds(150))
            await #expect(throws: JobError.self) { try await engines[1].jobs.run("slow") }
            #expect(try await running.value == "done")
            #expect(try await engines[1].jobs.run("slow") == "done")
            for engine in engines { engine.stop() }
        }
    }

    @Test func aSettingWrittenOnOneNodeIsReadOnTheOtherWithinASecond() async throws {
        try await withPostgres(nodes: 2) { nodes in
            let a = try await Self.engine(nodes[0])
            let b = try await Self.engine(nodes[1])
            try await a.settings.set(["site.name": .text("Cluster Site")])
            let start = ContinuousClock.now
            while b.settings[CoreSettings.siteName] != "Cluster Site", ContinuousClock.now - start < .seconds(3) {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(b.settings[CoreSettings.siteName] == "Cluster Site")
            #expect(ContinuousClock.now - start < .seconds(1))
            try await b.settings.set(["site.name": .unset])
            let back = ContinuousClock.now
            while a.settings[CoreSettings.siteName] != "ResetPress", ContinuousClock.now - back < .seconds(3) {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(a.settings[CoreSettings.siteName] == "ResetPress")
            a.stop()
            b.stop()
        }
    }

    @Test func aWriteOnOneNodeFiresUpdateOptionOnceOnEveryNode() async throws {
        try await withPostgres(nodes: 2) { nodes in
            let a = try await Self.engine(nodes[0])
            let b = try await Self.engine(nodes[1])
            let seen = Mutex<[String]>([])
            for (name, engine) in [("a", a), ("b", b)] {
                engine.hooks.addAction("update_option_site.name") { (update: SettingsEngine.OptionUpdate, _) in
                    seen.withLock { $0.append("\(name):\(update.origin.rawValue):\(update.oldValue)->\(update.newValue)") }
                }
            }
            try await a.settings.set(["site.name": .text("Cluster Site")])
            let start = ContinuousClock.now
            while seen.withLock({ $0.count }) < 2, ContinuousClock.now - start < .seconds(3) {
                try await Task.sleep(for: .milliseconds(10))
            }
            // Both nodes also receive the write's notification; give a duplicate time to show up.
            try await Task.sleep(for: .milliseconds(300))
            #expect(seen.withLock { $0.sorted() } == ["a:write:ResetPress->Cluster Site", "b:reload:ResetPress->Cluster Site"])
            a.stop()
            b.stop()
        }
    }

    @Test func sharedRateLimitsAreSweptWithNoPluginActive() async throws {
        try await withPostgres { nodes in
            let engine = try await Self.engine(nodes[0])
            defer { engine.stop() }
            #expect(try await engine.jobs.list().map(\.job.name).contains("flush_rate_limits"))
            _ = try await nodes[0].rateLimits.hit(key: "admin-sign-in:192.0.2.1", windowSeconds: 1, now: Date(timeIntervalSince1970: 1_700_000_000))
            #expect(try await engine.jobs.run("flush_rate_limits") == "1 ended rate-limit windows deleted")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-engine-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let local = Engine(root: folder, storage: SiteStorage(sqlite: try SQLiteDatabase(dataDirectory: folder)), plugins: [], environment: [:])
        #expect(try await local.jobs.run("flush_rate_limits") == "0 ended rate-limit windows deleted", "in-memory counters are swept too")
    }
}
