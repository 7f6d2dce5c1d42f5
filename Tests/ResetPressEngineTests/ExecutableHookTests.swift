import Foundation
import Testing
@testable import ResetPressEngine

@Suite struct ExecutableHookTests {
    let folder: TemporaryDirectory
    let logs = CollectedLogs()
    let hooks: HookRegistry

    init() throws {
        folder = try TemporaryDirectory()
        hooks = HookRegistry(logger: logs.logger)
    }

    /// Installs a hook script; the generous default timeout is for a loaded parallel test run, where
    /// starting a process can take seconds (only the timeout tests set a short one).
    private func install(_ hook: String, _ file: String, _ script: String, timeout: Duration = .seconds(10)) throws {
        try folder.write("\(hook)/\(file)", script, executable: true)
        for found in ExecutableHook.discover(in: folder.url, root: folder.url, timeout: timeout, trust: FileTrust(strict: true)).hooks where found.label == String(file.split(separator: "-", maxSplits: 1)[1]) {
            hooks.addExecutable(found)
        }
    }

    @Test func filterReceivesJSONAndItsOutputReplacesTheValue() async throws {
        try install("reset_password_email_subject", "10-shout", """
            #!/usr/bin/python3
            import json, sys
            data = json.load(sys.stdin)
            print(json.dumps(data["value"].upper() + " for " + data["context"]["user"]["login"] + " via " + data["hook"]))
            """)
        let user = HookContext.User(id: 1, login: "ann", email: "a@b.c", displayName: "Ann", firstName: "Ann", lastName: "")
        let result = await hooks.applyFilters("reset_password_email_subject", "reset", context: HookContext(user: user))
        #expect(result == "RESET for ann via reset_password_email_subject")
        #expect(logs.warnings.isEmpty)
    }

    @Test func rawTextOutputIsAcceptedForStrings() async throws {
        try install("simple_jwt_login_reset_password_custom_email_template", "20-raw", "#!/bin/sh\ncat >/dev/null\necho 'Code: {{CODE}}'\n")
        #expect(await hooks.applyFilters("reset_password_custom_email_template", "x") == "Code: {{CODE}}")
    }

    @Test func failingHookLeavesTheValueAndWarns() async throws {
        try install("h", "10-fails", "#!/bin/sh\necho broken >&2\nexit 1\n")
        #expect(await hooks.applyFilters("h", "kept") == "kept")
        #expect(logs.warnings.count == 1)
        #expect(logs.warnings[0].contains("status 1"))
        #expect(logs.warnings[0].contains("broken"))
    }

    @Test func slowHookIsCutOffAtItsTimeout() async throws {
        try install("h", "10-slow", "#!/bin/sh\nsleep 120\necho '\"late\"'\n", timeout: .milliseconds(200))
        let start = ContinuousClock.now
        #expect(await hooks.applyFilters("h", "kept") == "kept")
        // Far above a loaded machine's stalls (a run beside scripts/bench took 15.7 s), far below the hook's 120 s.
        #expect(ContinuousClock.now - start < .seconds(60))
        #expect(logs.warnings.count == 1)
        #expect(logs.warnings[0].contains("did not finish"))
    }

    @Test func garbledOutputLeavesTheValueAndWarns() async throws {
        try install("count", "10-garbage", "#!/bin/sh\necho 'not a number'\n")
        #expect(await hooks.applyFilters("count", 41) == 41)
        #expect(logs.warnings.count == 1)
        #expect(logs.warnings[0].contains("unusable"))
    }

    @Test func hookThatNeverReadsStdinDoesNotHurtTheServer() async throws {
        try install("h", "10-deaf", "#!/bin/sh\nexit 0\n")
        let big = String(repeating: "x", count: 1 << 20)
        #expect(await hooks.applyFilters("h", big).count == big.count)
        #expect(logs.warnings.count == 1)
        #expect(logs.warnings.first?.contains("no output") == true)
    }

    @Test func priorityComesFromTheFileNameAndMixesWithSwiftHooks() async throws {
        try install("h", "05-first", "#!/bin/sh\ncat >/dev/null\necho '\"exe\"'\n")
        hooks.addFilter("h", priority: 10) { (value: String, _) in value + "+swift" }
        #expect(await hooks.applyFilters("h", "") == "exe+swift")
        let listing = hooks.listing()
        #expect(listing.map(\.priority) == [5, 10])
        #expect(listing.first?.kind == .executable(path: folder.url.appendingPathComponent("h/05-first").path))
    }

    @Test func nonExecutableAndBadlyNamedFilesAreIgnored() throws {
        try folder.write("h/10-plain", "#!/bin/sh\n")
        try folder.write("h/readme", "#!/bin/sh\n", executable: true)
        let discovery = ExecutableHook.discover(in: folder.url, root: folder.url, timeout: .seconds(1), trust: FileTrust(strict: true))
        #expect(discovery.hooks.isEmpty && discovery.refused.isEmpty)
    }

    @Test func actionsGetTheSameJSONAndTheirOutputIsIgnored() async throws {
        let record = folder.url.appendingPathComponent("record.json")
        try install("password_reset", "10-audit", "#!/bin/sh\ncat > '\(record.path)'\necho ignored\n")
        await hooks.doAction("password_reset", "ann", context: HookContext(method: "PUT", parameters: ["email": "a@b.c", "code": "secret"]))
        let written = try String(contentsOf: record, encoding: .utf8)
        #expect(written.contains("\"hook\":\"password_reset\""))
        #expect(written.contains("\"value\":\"ann\""))
        #expect(!written.contains("secret"))
    }
}

/// Output that cannot be trusted whole is bad output: the hook is skipped, not half-used.
extension ExecutableHookTests {
    @Test func outputCutAtTheLimitIsSkipped() async throws {
        // 8 MiB of text: read whole by the collector, kept only up to the limit, so the value would be cut.
        try install("reset_password_custom_email_template", "10-flood", "#!/bin/sh\ncat >/dev/null\nhead -c 8388608 /dev/zero | tr '\\0' 'x'\n")
        #expect(await hooks.applyFilters("reset_password_custom_email_template", "Code: {{CODE}}") == "Code: {{CODE}}")
        #expect(logs.warnings.count == 1)
        #expect(logs.warnings[0].contains("limit"))
    }

    @Test func outputJustUnderTheLimitIsUsed() async throws {
        let size = ChildProcess.outputLimit - 16
        try install("h", "10-big", "#!/bin/sh\ncat >/dev/null\nhead -c \(size) /dev/zero | tr '\\0' 'y'\n")
        let result = await hooks.applyFilters("h", "small")
        #expect(result.utf8.count == size)
        #expect(logs.warnings.isEmpty)
    }

    @Test func emptyOutputIsSkipped() async throws {
        try install("h", "10-silent", "#!/bin/sh\ncat >/dev/null\n")
        #expect(await hooks.applyFilters("h", "kept") == "kept")
        #expect(logs.warnings.count == 1)
    }

    @Test func aRejectedResultIsSkippedForExecutableAndSwiftFiltersAlike() async throws {
        try install("h", "10-drops", "#!/bin/sh\ncat >/dev/null\necho 'no placeholder'\n")
        hooks.addFilter("h", priority: 20) { (value: String, _) in value + " (swift)" }
        hooks.addFilter("h", priority: 30) { (_: String, _) in "also none" }
        let result = await hooks.applyFilters("h", "has {{CODE}}") { $0.contains("{{CODE}}") ? nil : "lost the code" }
        #expect(result == "has {{CODE}} (swift)")
        #expect(logs.warnings.count == 2)
        #expect(logs.warnings.allSatisfy { $0.contains("lost the code") })
    }
}
