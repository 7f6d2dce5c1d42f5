import Foundation
import HummingbirdTesting
import ResetPressStorage
import Testing
@testable import ResetPassword

/// A request's mail and a change's notice, handed to this node's running sender: inserted already
/// claimed by it, and delivered from memory by its next drain without a claim.
@Suite struct MailHandOffTests {
    let path = TestSite.namespace + "/user/reset_password"

    /// Runs the site's sender with a wake-up delay long enough that only the test's own drains deliver.
    private func withRunningSender(_ site: TestSite, _ body: () async throws -> Void) async throws {
        let sender = site.mail.sender
        let running = Task { await sender.run(tick: .seconds(3600), gather: .seconds(3600)) }
        defer { running.cancel() }
        for _ in 0..<500 where sender.claimForHandOff() == nil { try await Task.sleep(for: .milliseconds(10)) }
        try #require(sender.claimForHandOff() != nil)
        try await body()
    }

    @Test func aRequestsMailAndTheChangesNoticeGoToTheRunningSenderWithoutAClaim() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        let owner = site.mail.sender.owner
        try await withRunningSender(site) {
            try await site.test { client in _ = try await client.send(.post, path, json: ["email": "ann@example.org"]) }
            let request = try #require(try await site.storage.outbox.list(status: nil, limit: 10).first)
            #expect(request.status == .sending && request.claimedBy == owner && request.attempts == 1, "inserted claimed, before any drain")
            #expect(try await site.mail.sender.drain() == (sent: 1, retried: 0, failed: 0))

            let code = try #require(site.lastCode)
            try await site.test { client in
                _ = try await client.send(.put, path, json: ["email": "ann@example.org", "code": code, "new_password": "brand-new-secret"])
            }
            let notice = try #require(try await site.storage.outbox.list(status: nil, limit: 10).first)
            #expect(notice.kind == "password_changed" && notice.status == .sending && notice.claimedBy == owner)
            #expect(try await site.mail.sender.drain() == (sent: 1, retried: 0, failed: 0))
        }
        let entries = try await site.storage.outbox.list(status: nil, limit: 10)
        #expect(entries.count == 2 && entries.allSatisfy { $0.status == .sent && $0.attempts == 1 && $0.claimedBy == nil })
        let files = try FileManager.default.contentsOfDirectory(atPath: site.dataDirectory.appendingPathComponent("mail").path)
        #expect(files.filter { $0.hasSuffix(".eml") }.count == 2)
    }

    @Test func withNoSenderRunningTheMailIsQueuedForAnySender() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in _ = try await client.send(.post, path, json: ["email": "ann@example.org"]) }
        let entry = try #require(try await site.storage.outbox.list(status: nil, limit: 10).first)
        #expect(entry.status == .queued && entry.claimedBy == nil && entry.attempts == 0)
    }
}
