import Foundation
import ResetPressEngine
import ResetPressStoreTestSupport
import Testing
@testable import ResetPressStorage

@Suite struct SQLiteJobStateStoreTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-jobs-\(UUID().uuidString)")

    @Test func runsAreCountedAndSurviveReopening() async throws {
        let jobs = try SQLiteDatabase(dataDirectory: folder).jobStates
        #expect(try await jobs.all().isEmpty)
        try await jobs.recordRun(name: "send_mail", at: testTime(), status: "ok")
        try await jobs.recordRun(name: "flush_expired_password_resets", at: testTime(1), status: "ok")
        try await jobs.recordRun(name: "send_mail", at: testTime(60), status: "SMTP refused")

        let reopened = try SQLiteDatabase(dataDirectory: folder).jobStates
        #expect(try await reopened.all() == [
            JobState(name: "flush_expired_password_resets", lastRunAt: testTime(1), lastStatus: "ok", runs: 1),
            JobState(name: "send_mail", lastRunAt: testTime(60), lastStatus: "SMTP refused", runs: 2),
        ])
    }
}
