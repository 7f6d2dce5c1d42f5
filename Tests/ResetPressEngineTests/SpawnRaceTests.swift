import Foundation
import Testing
import ResetPressEngine
import ResetPressTestSupport

/// Writing an executable while other tasks start child processes must never leave it busy ("Text file busy").
@Suite struct SpawnRaceTests {
    /// Without the spawn lock, about 20 of the 300 scripts failed with ETXTBSY in every run (a write descriptor
    /// copied into a child the other tasks were starting); the 300 rounds take a few seconds.
    @Test func aFreshlyWrittenScriptRunsWhileOthersSpawn() async throws {
        let folder = try TemporaryDirectory()
        let directory = folder.url
        let deadline = ContinuousClock.now + .seconds(30)
        let failures = try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    while !Task.isCancelled {
                        _ = try await ChildProcess.run(executable: "/bin/true", input: Data(), timeout: .seconds(10))
                    }
                }
            }
            var failed: [String] = []
            for round in 0..<300 where ContinuousClock.now < deadline {
                let script = try ExecutableFile.write("#!/bin/sh\nexit 0\n", to: directory.appendingPathComponent("script-\(round)"))
                do {
                    let outcome = try await ChildProcess.run(executable: script.path, input: Data(), timeout: .seconds(10))
                    if outcome.termination != .exited(0) { failed.append("round \(round): \(outcome.termination)") }
                } catch {
                    failed.append("round \(round): \(error)")
                }
            }
            group.cancelAll()
            return failed
        }
        #expect(failures.isEmpty, "\(failures.count) runs failed, first: \(failures.first ?? "")")
    }
}
