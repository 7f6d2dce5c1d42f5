import Foundation
import GRDB
import Synchronization
import Testing
@testable import ResetPressStorage
import ResetPressUsers

/// The request path's read connections: reused, fresh after every commit, read-only, and bounded.
@Suite struct PointReadersTests {
    let database: SQLiteDatabase

    init() throws {
        database = try makeTemporaryDatabase()
    }

    private func addUser(_ index: Int) async throws {
        _ = try await database.users.add(
            NewUser(login: "reader\(index)", email: "reader\(index)@example.com", passwordHash: "$2y$10$abcdefghijklmnopqrstuv"), now: Date())
    }

    @Test func sequentialReadsReuseOneConnectionAndSeeEachCommit() async throws {
        for index in 0..<20 {
            try await addUser(index)
            // The write committed on the writer; the reused reader sees it at once.
            #expect(try await database.users.user(byEmail: "reader\(index)@example.com")?.login == "reader\(index)")
            #expect(try await database.resetCodes.requester(email: "reader\(index)@example.com")?.user.login == "reader\(index)")
        }
        #expect(database.readers.opened == 1)
    }

    @Test func readsBeyondTheMaximumGoThroughThePoolWhileEveryReaderIsBusy() async throws {
        try await addUser(0)
        let readers = database.readers
        let count = readers.maximum * 2
        let entered = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        let answers = Mutex<[String]>([])
        // Each read holds its connection until all of them are inside: only a read that does not
        // wait for a point reader (the pool's) lets the reads past the maximum in.
        for _ in 0..<count {
            Thread.detachNewThread {
                let login = try? readers.read { db -> String? in
                    entered.signal()
                    go.wait()
                    return try String.fetchOne(db, sql: "SELECT login FROM users WHERE email = ?", arguments: ["reader0@example.com"])
                }
                answers.withLock { $0.append((login ?? nil) ?? "none") }
            }
        }
        var inside = 0
        while inside < count, entered.wait(timeout: .now() + 10) == .success { inside += 1 }
        for _ in 0..<count { go.signal() }
        #expect(inside == count)
        let deadline = Date().addingTimeInterval(10)
        while answers.withLock({ $0.count }) < count, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(answers.withLock { $0 } == Array(repeating: "reader0", count: count))
        #expect(readers.opened == readers.maximum)
    }

    @Test func aReaderCannotWrite() async throws {
        try await addUser(0)
        #expect(throws: DatabaseError.self) {
            try database.readers.read { db in try db.execute(sql: "DELETE FROM users") }
        }
        #expect(try await database.users.user(byEmail: "reader0@example.com") != nil)
    }
}
