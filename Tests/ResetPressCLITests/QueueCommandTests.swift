import Foundation
@testable import ResetPressCLI
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// `mail queue|retry` and `webhooks queue|retry`, the one pair of generic commands over each leased
/// queue, against a site's SQLite database.
@Suite struct QueueCommandTests {
    static let sealer = InstallSecret(bytes: Data(repeating: 7, count: 32)).mailSealer()

    /// Five messages, oldest first: sent (with the server's answer), failed with a plain body, failed with a sealed one (its
    /// body deleted on failure), failed with a plain body, and one still queued. Returns their ids in that order.
    static func fillOutbox(_ outbox: any MailOutbox) async throws -> [Int64] {
        var ids: [Int64] = []
        for (index, to) in ["sent@example.org", "plain@example.org", "sealed@example.org", "other@example.org"].enumerated() {
            var mail = try testMail(to: to, subject: "Subject \(index)")
            if to.hasPrefix("sealed") { mail = try mail.sealed(with: sealer) }
            ids.append(try await outbox.enqueue(mail, now: testTime(Double(index))))
        }
        let claimed = try await outbox.claimDue(limit: 10, now: testTime(10))
        #expect(claimed.count == 4)
        try await outbox.markSent(id: ids[0], at: testTime(11), detail: "250 2.0.0 Ok: queued as 4F3A21B")
        try await outbox.markFailed(id: ids[1], error: "550 mailbox unavailable")
        try await outbox.markFailed(id: ids[2], error: "550 no such user")
        try await outbox.markFailed(id: ids[3], error: "552 mailbox full")
        ids.append(try await outbox.enqueue(try testMail(to: "queued@example.org"), now: testTime(20)))
        return ids
    }

    /// The rows of a `queue` table (the lines after its `ID` header that start with an id), split into cells.
    static func rows(of output: String) throws -> [[String]] {
        let lines = output.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("ID  ") }, "no table header in:\n\(output)")
        return lines[(start + 1)...]
            .map { $0.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            .filter { $0.first.flatMap { Int64($0) } != nil }
    }

    @Test func mailQueueCountsEveryStatusAndListsTheNewestFirst() async throws {
        let site = try CLISite()
        let ids = try await Self.fillOutbox(site.database.outbox)

        let all = try site.command(["mail", "queue"])
        #expect(all.status == 0, "\(all.output)")
        #expect(all.output.contains("queued 1, sending 0, sent 1, failed 3"), "\(all.output)")
        let rows = try Self.rows(of: all.output)
        try #require(rows.count == 5 && rows.allSatisfy { $0.count == 10 }, "\(all.output)")
        #expect(rows.map { $0[0] } == ids.reversed().map(String.init))
        #expect(rows.map { $0[1] } == ["queued", "failed", "failed", "failed", "sent"])
        #expect(rows.map { $0[4] } == ["queued@example.org", "other@example.org", "sealed@example.org", "plain@example.org", "sent@example.org"])
        #expect(rows.map { $0[6] } == ["-", "-", "-", "-", "250 2.0.0 Ok: queued as 4F3A21B"], "only a sent message has an answer")
        #expect(rows[3].last == "550 mailbox unavailable")
        #expect(rows[4].contains(CLIDate.format(testTime(11))), "a sent message shows when it was sent: \(rows[4])")

        let failed = try site.command(["mail", "queue", "--status", "failed", "--limit", "1"])
        #expect(failed.status == 0, "\(failed.output)")
        #expect(try Self.rows(of: failed.output).map { $0[0] } == [String(ids[3])])
    }

    @Test func webhooksQueueShowsTheWebhookColumnsAndNoMail() async throws {
        let site = try CLISite()
        _ = try await Self.fillOutbox(site.database.outbox)
        let id = try await site.database.webhooks.enqueue(
            QueuedWebhook(event: "password_reset", url: "https://hooks.example.org/in", body: "{}", deliveryID: "d-1"), now: testTime())

        let result = try site.command(["webhooks", "queue"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("queued 1, sending 0, sent 0, failed 0"), "\(result.output)")
        let header = try #require(result.output.split(separator: "\n").first { $0.hasPrefix("ID  ") })
        #expect(header.contains("EVENT") && header.contains("URL") && !header.contains("SUBJECT"))
        let rows = try Self.rows(of: result.output)
        #expect(rows.count == 1)
        #expect(rows.first.map { Array($0.prefix(6)) } == [String(id), "queued", "-", "0", "password_reset", "https://hooks.example.org/in"])
    }

    @Test func mailRetryQueuesTheFailedMessageWithABodyAndNamesTheIdsItCouldNot() async throws {
        let site = try CLISite()
        let outbox = site.database.outbox
        let ids = try await Self.fillOutbox(outbox)

        do {
            try await site.run(["mail", "retry", String(ids[0]), String(ids[1]), String(ids[2])])
            Issue.record("retrying a sent message and a failed one without a body succeeded")
        } catch let failure as CLIFailure {
            #expect(
                failure.description
                    == "2 of the ids given are not failed messages with a body to send (a reset mail's body is deleted when it fails). "
                    + "See `resetpress mail queue --status failed`.")
        }
        let byID = Dictionary(uniqueKeysWithValues: try await outbox.list(status: nil, limit: 10).map { ($0.id, $0) })
        #expect(byID[ids[0]]?.status == .sent)
        #expect(byID[ids[1]]?.status == .queued && byID[ids[1]]?.attempts == 0, "the plain failed message is queued again")
        #expect(byID[ids[2]]?.status == .failed && byID[ids[2]]?.body == nil, "the sealed one lost its body when it failed")
        #expect(byID[ids[3]]?.status == .failed, "a failed message not named stays failed")

        try await site.run(["mail", "retry"])
        #expect(try await outbox.list(status: .failed, limit: 10).map(\.id) == [ids[2]], "no id: every failed message with a body")
        #expect(try await outbox.counts() == [.queued: 3, .sending: 0, .sent: 1, .failed: 1])
    }

    @Test func webhooksRetryWithNoIdQueuesEveryFailedWebhook() async throws {
        let site = try CLISite()
        let webhooks = site.database.webhooks
        let ids = try await webhooks.enqueue(
            (1...3).map { QueuedWebhook(event: "password_reset", url: "https://hooks.example.org/\($0)", body: "{}", deliveryID: "d-\($0)") },
            now: testTime())
        _ = try await webhooks.claimDue(limit: 10, now: testTime(1), owner: "node", leaseUntil: testTime(60))
        try await webhooks.markFailed(id: ids[0], error: "HTTP 500")
        try await webhooks.markFailed(id: ids[1], error: "HTTP 500")
        try await webhooks.markSent(id: ids[2], at: testTime(2))

        try await site.run(["webhooks", "retry"])
        let queued = try await webhooks.list(status: .queued, limit: 10)
        #expect(queued.map(\.id).sorted() == [ids[0], ids[1]])
        #expect(queued.allSatisfy { $0.attempts == 0 && $0.claimedBy == nil })
        #expect(try await webhooks.counts()[.sent] == 1)

        await #expect(throws: CLIFailure.self) { try await site.run(["webhooks", "retry", String(ids[2])]) }
    }
}
