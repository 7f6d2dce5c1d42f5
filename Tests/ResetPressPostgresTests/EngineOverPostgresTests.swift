import Foundation
import ResetPressEngine
import ResetPressPostgres
import ResetPressStorage
import ResetPressStoreTestSupport
import Synchronization
import Testing

/// Engines of two nodes over one PostgreSQL database: the job lock and the settings feed wired in.
@Suite struct EngineOverPostgresTests {
    /// Starts an engine with no plugins over `database`, in an empty site folder.
    static func engine(_ database: PostgresDatabase) async throws -> Engine {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-engine-\(UUID().uuidString)")
        let engine = Engine(root: root, storage: SiteStorage(postgres: database), environment: [:])
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
            // The first run holds the job until released, so "while another node runs it" is not a matter of timing.
            let started = Gate()
            let release = Gate()
            defer { release.open() }
            let runs = Mutex(0)
            let job = Job(name: "slow", description: "Takes a while.", defaultInterval: 60) {
                if runs.withLock({ $0 += 1; return $0 }) == 1 {
                    started.open()
                    await release.pass()
                }
                return "done"
            }
            for engine in engines { engine.jobs.register(job) }
            let first = engines[0]
            let running = Task { try await first.jobs.run("slow") }
            try #require(await eventually { started.isOpen }, "the first run never started")
            await #expect(throws: JobError.self) { try await engines[1].jobs.run("slow") }
            release.open()
            #expect(try await running.value == "done")
            #expect(try await engines[1].jobs.run("slow") == "done")
            #expect(runs.withLock { $0 } == 2)
            for engine in engines { engine.stop() }
        }
    }

    @Test func aSettingWrittenOnOneNodeIsReadOnTheOther() async throws {
        // The engine re-reads settings only when its feed reports a write (no polling), so seeing the
        // value at all proves the notification path; the bound only catches a hang.
        try await withPostgres(nodes: 2) { nodes in
            let a = try await Self.engine(nodes[0])
            let b = try await Self.engine(nodes[1])
            defer { a.stop(); b.stop() }
            try await a.settings.set(["site.name": .text("Cluster Site")])
            #expect(await eventually { b.settings[CoreSettings.siteName] == "Cluster Site" }, "node B never read A's write")
            try await b.settings.set(["site.name": .unset])
            #expect(await eventually { a.settings[CoreSettings.siteName] == "ResetPress" }, "node A never read B's write")
        }
    }

    @Test func aWriteOnOneNodeFiresUpdateOptionOnceOnEveryNode() async throws {
        try await withPostgres(nodes: 2) { nodes in
            let a = try await Self.engine(nodes[0])
            let b = try await Self.engine(nodes[1])
            defer { a.stop(); b.stop() }
            let seen = Mutex<[String]>([])
            for (name, engine) in [("a", a), ("b", b)] {
                engine.hooks.addAction("update_option_site.name") { (update: SettingsEngine.OptionUpdate, _) in
                    seen.withLock { $0.append("\(name):\(update.origin.rawValue):\(update.oldValue)->\(update.newValue)") }
                }
            }
            let saw = { (entry: String) in seen.withLock { $0.contains(entry) } }
            try await a.settings.set(["site.name": .text("Cluster Site")])
            try #require(await eventually { saw("b:reload:ResetPress->Cluster Site") }, "B never reloaded: \(seen.withLock { $0 })")
            // Both nodes also receive the write's notification. Each feed delivers in commit order, so
            // once A has reloaded B's later write, A has handled its own first one; and once B has
            // reloaded A's third, B has handled the first two: a duplicate would be in `seen` by then.
            try await b.settings.set(["site.name": .text("Second")])
            try #require(await eventually { saw("a:reload:Cluster Site->Second") }, "A never reloaded: \(seen.withLock { $0 })")
            try await a.settings.set(["site.name": .text("Third")])
            try #require(await eventually { saw("b:reload:Second->Third") }, "B never reloaded: \(seen.withLock { $0 })")
            #expect(seen.withLock { $0.sorted() } == [
                "a:reload:Cluster Site->Second", "a:write:ResetPress->Cluster Site", "a:write:Second->Third",
                "b:reload:ResetPress->Cluster Site", "b:reload:Second->Third", "b:write:Cluster Site->Second",
            ])
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
        let local = Engine(root: folder, storage: SiteStorage(sqlite: try SQLiteDatabase(dataDirectory: folder)), environment: [:])
        #expect(try await local.jobs.run("flush_rate_limits") == "0 ended rate-limit windows deleted", "in-memory counters are swept too")
    }
}
