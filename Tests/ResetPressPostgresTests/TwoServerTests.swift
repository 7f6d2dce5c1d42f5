import Foundation
import ResetPressPostgres
import ResetPressStorage
import ResetPressStoreTestSupport
import ResetPressUsers
import ResetPressTestSupport
import Testing

/// Two `resetpress serve` processes on one PostgreSQL database behave as one site.
@Suite(.serialized) struct TwoServerTests {
    static let repositoryRoot = Repository.root
    static let path = "/simple-jwt-login/v1/user/reset_password"

    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-two-nodes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for folder in ["settings", "templates"] {
            try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent(folder), to: root.appendingPathComponent(folder))
        }
    }

    /// A node's data directory, holding the install secret every node shares.
    func dataDirectory(_ name: String, secret: Data) throws -> URL {
        let folder = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try secret.write(to: folder.appendingPathComponent("secret.key"))
        return folder
    }

    /// The `.eml` files both nodes delivered.
    func deliveredMail(_ folders: [URL]) -> [String] {
        folders.flatMap { folder -> [String] in
            let mail = folder.appendingPathComponent("mail")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: mail.path)) ?? []
            return names.filter { $0.hasSuffix(".eml") }.sorted().compactMap {
                try? String(contentsOf: mail.appendingPathComponent($0), encoding: .utf8)
            }
        }
    }

    /// Waits until both nodes hold `count` messages between them, at most `limit` (far above any
    /// stall of a loaded machine); returns them.
    func waitForMail(_ count: Int, in folders: [URL], limit: Duration = .seconds(60)) async throws -> [String] {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let mail = deliveredMail(folders)
            if mail.count >= count { return mail }
            try await Task.sleep(for: .milliseconds(100))
        }
        return deliveredMail(folders)
    }

    /// The code in a reset mail.
    static func code(in mail: String) -> String? {
        guard let range = mail.range(of: "Your reset code is: ") else { return nil }
        return String(mail[range.upperBound...].prefix { $0.isLetter || $0.isNumber })
    }

    /// Polls `node` until `answer` holds for a reset request, within `limit`; returns the time it took.
    static func waitUntil(
        _ node: ServerProcess, within limit: Duration, email: String = "nobody@example.org", _ answer: (String) -> Bool
    ) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if answer(try await node.send("POST", path, json: ["email": email]).body) { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Sends `count` password changes with `code` at once, alternating between the nodes; returns the bodies.
    static func guesses(_ count: Int, code: String, nodes: [ServerProcess]) async throws -> [String] {
        try await withThrowingTaskGroup(of: String.self) { group in
            for guess in 0..<count {
                group.addTask {
                    try await nodes[guess % 2].send(
                        "PUT", path, json: ["email": "ann@example.org", "code": code, "new_password": "new-password-\(guess)"]
                    ).body
                }
            }
            var bodies: [String] = []
            for try await body in group { bodies.append(body) }
            return bodies
        }
    }

    @Test func twoNodesOnOneDatabaseActAsOneSite() async throws {
        let began = Date()
        let url = try await TestPostgresServer.shared.createDatabase()
        let database = try await PostgresDatabase.open(url: url, connectTimeout: testConnectTimeout)
        let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        let folders = [try dataDirectory("node-a", secret: secret), try dataDirectory("node-b", secret: secret)]
        let cliData = try dataDirectory("cli", secret: secret)
        let environment = ["RESETPRESS_STORAGE__URL": url, "RESETPRESS_USERS__PASSWORD_HASH_COST": "4"]
        _ = try await database.users.add(
            NewUser(login: "ann", email: "ann@example.org", passwordHash: try await PasswordHasher(maxConcurrent: 1).hash("old-password", cost: 4)),
            now: Date())
        var nodes: [ServerProcess] = []
        defer { for node in nodes { node.stop() } }
        nodes.append(try await ServerProcess(root: root, dataDirectory: folders[0], environment: environment))
        nodes.append(try await ServerProcess(root: root, dataDirectory: folders[1], environment: environment))
        let settingsSet = { (assignments: [String]) throws in
            let result = try ServerProcess.command(
                ["settings", "set"] + assignments + ["--root", root.path, "--data-dir", cliData.path], environment: environment)
            #expect(result.status == 0, "\(result.output)")
        }

        // A write through the CLI (its own process, with its own data directory, so it signals no
        // node) reaches node B: only the settings feed carries it there. The bound only catches a hang.
        try settingsSet(["reset_password.enabled=false"])
        let seen = try await Self.waitUntil(nodes[1], within: .seconds(60)) { $0.contains("not allowed") }
        try #require(seen != nil, "node B did not see the CLI's write within 60 s")

        // The per-IP limit is counted once for both nodes: 10 a minute in all, not 10 each. The
        // count starts in a fresh minute, once both nodes have the limit: the polls that waited for
        // them to see a write counted in the minute they were sent.
        try settingsSet([
            "reset_password.enabled=true", "reset_password.ip_limit_per_minute=10", "reset_password.throttle_seconds=0",
            "jobs.flush_expired_password_resets.interval=1",
        ])
        for node in nodes {
            #expect(try await Self.waitUntil(node, within: .seconds(60)) { !$0.contains("not allowed") } != nil)
        }
        let now = Date().timeIntervalSince1970
        try await Task.sleep(for: .seconds(60 - now.truncatingRemainder(dividingBy: 60) + 0.2))
        var answers: [String] = []
        for request in 0..<20 {
            answers.append(try await nodes[request % 2].send("POST", Self.path, json: ["email": "nobody@example.org"]).body)
        }
        #expect(answers.filter { $0.contains("Too many requests") }.count == 10, "\(answers)")

        try settingsSet(["reset_password.ip_limit_per_minute=0"])
        for node in nodes {
            #expect(try await Self.waitUntil(node, within: .seconds(60)) { !$0.contains("Too many requests") } != nil)
        }

        // A code issued on A: 4 wrong guesses split across both nodes leave it usable on B.
        #expect(try await nodes[0].send("POST", Self.path, json: ["email": "ann@example.org"]).status == 200)
        let first = try #require(try await waitForMail(1, in: folders).first.flatMap(Self.code(in:)))
        #expect(try await Self.guesses(4, code: "wrong0000", nodes: nodes).allSatisfy { $0.contains("Invalid code") })
        let changed = try await nodes[1].send("PUT", Self.path, json: ["email": "ann@example.org", "code": first, "new_password": "changed-once"])
        #expect(changed.body.contains("User Password has been changed."), "\(changed.body)")

        // 20 wrong guesses at once across both nodes burn the next code after 5: the right one then fails.
        #expect(try await nodes[1].send("POST", Self.path, json: ["email": "ann@example.org"]).status == 200)
        let mail = try await waitForMail(3, in: folders)
        let second_ = try #require(mail.compactMap(Self.code(in:)).first { $0 != first })
        #expect(try await Self.guesses(20, code: "wrong0000", nodes: nodes).allSatisfy { $0.contains("Invalid code") })
        let burned = try await nodes[0].send("PUT", Self.path, json: ["email": "ann@example.org", "code": second_, "new_password": "changed-twice"])
        #expect(burned.body.contains("Invalid code"), "\(burned.body)")
        #expect(try await database.resetCodes.count() == 0)

        // Each queued message was delivered once, by one node or the other: once every entry is
        // `sent`, none can be claimed again, and one claim each (attempts == 1) means one send each.
        let finished = try await eventually {
            let counts = try await database.outbox.counts()
            return counts[.sent] == 3 && counts[.queued] == 0 && counts[.sending] == 0
        }
        let counts = try await database.outbox.counts()
        #expect(finished, "the outbox did not finish: \(counts)")
        let entries = try await database.outbox.list(status: nil, limit: 10)
        #expect(entries.count == 3 && entries.allSatisfy { $0.status == .sent && $0.attempts == 1 }, "\(entries)")
        let delivered = deliveredMail(folders)
        #expect(delivered.count == 3)

        // With a one-second interval on both nodes, the flush job runs once a second, not twice: each
        // run's recorded time is at least an interval after the previous run's, so n runs span at least
        // n seconds of their own records (a stall only spreads them out). Watched until 4 more runs.
        let flush = { () async throws -> (runs: Int, at: Date)? in
            try await database.jobStates.all().first { $0.name == "flush_expired_password_resets" }.flatMap { state in
                state.lastRunAt.map { (state.runs, $0) }
            }
        }
        var samples: [(runs: Int, at: Date)] = []
        let ranOn = try await eventually {
            guard let state = try await flush() else { return false }
            if samples.last?.runs != state.runs { samples.append(state) }
            return state.runs >= samples[0].runs + 4
        }
        #expect(ranOn, "the flush job stopped running: \(samples)")
        for (earlier, later) in zip(samples, samples.dropFirst()) {
            let (runs, span) = (later.runs - earlier.runs, later.at.timeIntervalSince(earlier.at))
            #expect(span >= Double(runs) - 0.01, "\(runs) runs within \(span) s of their recorded times: more than one an interval")
        }
        // Jobs ran once per interval for the whole site (the first run at start-up), not once per node:
        // by its last run, a job has run at most once more than the intervals passed since the test began.
        let states = try await database.jobStates.all()
        for (job, interval) in [("flush_rate_limits", 300.0), ("send_mail", 60.0)] {
            let state = try #require(states.first { $0.name == job })
            let span = try #require(state.lastRunAt).timeIntervalSince(began)
            #expect((1...(1 + Int(span / interval))).contains(state.runs), "\(job) ran \(state.runs) times within \(span) s")
        }

        for node in nodes { #expect(node.stop() == 0, "\(node.output)") }
        await database.shutdown()
        try await TestPostgresServer.shared.dropDatabase(url: url)
    }
}
