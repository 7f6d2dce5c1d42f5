import Foundation
import GRDB
import Synchronization
import ResetPressMail
import ResetPressStoreTestSupport
import Testing
@testable import ResetPressStorage

/// The SQLite queues give back the pages that sent bodies filled: the file does not grow a page a mail.
@Suite struct QueueRepackTests {
    let database: SQLiteDatabase
    let sealer = InstallSecret(bytes: Data(repeating: 9, count: 32)).mailSealer()

    init() throws {
        database = try makeTemporaryDatabase()
    }

    /// A sealed reset mail of about 3 KB, as the site queues them.
    private func largeMail(_ index: Int) throws -> OutboxMail {
        let message = MailMessage(
            from: try MailAddress(email: "site@example.com", name: "Site"), to: [try MailAddress(email: "user\(index)@example.com")],
            subject: "Your code", textBody: String(repeating: "Use the code 123456 to choose a new password. ", count: 30),
            htmlBody: "<p>" + String(repeating: "Use the code <b>123456</b>. ", count: 30) + "</p>")
        return try OutboxMail(kind: "reset_code", message: message, messageID: "<\(index)@example.com>", userID: Int64(index)).sealed(with: sealer)
    }

    /// Pages that hold data: the file's pages less its free list.
    private func pages() async throws -> (used: Int, file: Int) {
        try await database.pool.read { db in
            let file = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            return (file - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0), file)
        }
    }

    /// Queues `count` large mails from `first` and claims them; returns their ids.
    private func queueAndClaim(_ count: Int, from first: Int, at time: TimeInterval) async throws -> [Int64] {
        let ids = try await database.outbox.enqueue(try (first..<first + count).map(largeMail), now: testTime(time))
        #expect(try await database.outbox.claimDue(limit: count, now: testTime(time)).map(\.id) == ids)
        return ids
    }

    @Test func deletingFinishedEntriesPacksTheSentOnesAndTheirPagesAreReused() async throws {
        let outbox = database.outbox
        let ids = try await queueAndClaim(200, from: 0, at: 0)
        let late = ids[100]
        try await outbox.markSent(ids.filter { $0 != late }.map { (id: $0, detail: "written") }, at: testTime(1), events: [])
        let before = try await outbox.list(status: nil, limit: 500)
        let sparse = try await pages()

        #expect(try await outbox.deleteFinished(before: testTime(-86_400)) == 0)
        let packed = try await pages()
        #expect(sparse.used - packed.used >= 150, "199 sent entries each kept a page: \(sparse) → \(packed)")
        #expect(try await outbox.list(status: nil, limit: 500) == before, "rows rewritten as they were")
        let unsent = try #require(try await outbox.list(status: .sending, limit: 10).first)
        #expect(unsent.id == late && unsent.body != nil)

        // New mail fills the freed pages before the file grows.
        let more = try await queueAndClaim(100, from: 200, at: 2)
        try await outbox.markSent(more.map { (id: $0, detail: nil) }, at: testTime(3), events: [])
        #expect(try await pages().file <= packed.file + 10)
    }

    @Test func anEntryThatFinishesLateIsPackedByALaterPass() async throws {
        let outbox = database.outbox
        let ids = try await queueAndClaim(20, from: 0, at: 0)
        try await outbox.markSent(ids.dropFirst(10).map { (id: $0, detail: nil) }, at: testTime(1), events: [])
        try await outbox.markSent(ids.prefix(5).map { (id: $0, detail: nil) }, at: testTime(1), events: [])
        #expect(try await outbox.repackFinished() == 15)
        // The pass stopped its mark before the first unfinished entry (ids[5]): the entries after it come again.
        #expect(try await outbox.repackFinished() == 10)
        try await outbox.markSent(ids[5..<10].map { (id: $0, detail: nil) }, at: testTime(2), events: [])
        #expect(try await outbox.repackFinished() == 15)
        #expect(try await outbox.repackFinished() == 0)
        #expect(try await outbox.list(status: .sent, limit: 50).count == 20)
    }

    @Test func theMarkIsKeptInTheFileForEachQueue() async throws {
        let ids = try await queueAndClaim(30, from: 0, at: 0)
        try await database.outbox.markSent(ids.map { (id: $0, detail: nil) }, at: testTime(1), events: [])
        #expect(try await database.outbox.repackFinished() == 30)
        let reopened = try SQLiteDatabase(path: database.path)
        #expect(try await reopened.outbox.repackFinished() == 0, "a restart does not pack the same entries again")
        let webhook = QueuedWebhook(event: "reset_requested", url: "https://example.com/hook", body: "{}", deliveryID: "d1")
        let webhookIDs = try await reopened.webhooks.enqueue([webhook], now: testTime(2))
        _ = try await reopened.webhooks.claimDue(limit: 1, now: testTime(2), owner: testOwner, leaseUntil: testTime(60))
        try await reopened.webhooks.markSent(webhookIDs.map { (id: $0, detail: nil) }, at: testTime(3), events: [])
        #expect(try await reopened.webhooks.repackFinished() == 1, "each queue has its own mark")
    }

    @Test func passesRunningBesideTheSenderLoseAndChangeNothing() async throws {
        let outbox = database.outbox
        let done = Atomic(false)
        let sending = Task {
            defer { done.store(true, ordering: .releasing) }
            for round in 0..<30 {
                let ids = try await queueAndClaim(10, from: round * 10, at: Double(round))
                try await outbox.markSent(ids.map { (id: $0, detail: "written \($0)") }, at: testTime(Double(round) + 0.5), events: [])
            }
        }
        var rewritten = 0
        while !done.load(ordering: .acquiring) { rewritten += try await outbox.repackFinished() }
        try await sending.value
        rewritten += try await outbox.repackFinished()
        #expect(rewritten >= 300)
        let entries = try await outbox.list(status: nil, limit: 500)
        #expect(entries.count == 300 && Set(entries.map(\.id)).count == 300)
        #expect(entries.allSatisfy { $0.status == .sent && $0.body == nil && $0.deliveryDetail == "written \($0.id)" })
        #expect(Set(entries.map(\.recipients)).count == 300)
    }

    @Test func aFailedEntryThatKeepsItsBodyIsLeftAsItIs() async throws {
        let outbox = database.outbox
        let ids = try await queueAndClaim(3, from: 0, at: 0)
        try await outbox.markFailed(id: ids[0], error: "550 no", keepingBody: true, events: [])
        try await outbox.markFailed(id: ids[1], error: "550 no", keepingBody: false, events: [])
        try await outbox.markSent([(id: ids[2], detail: nil)], at: testTime(1), events: [])
        #expect(try await outbox.repackFinished() == 2)
        #expect(try await outbox.retry(ids: nil, now: testTime(2)) == 1, "the kept body can still go out")
    }
}
