import Foundation
import GRDB
@testable import ResetPressStorage
import Testing

/// Hot statements: prepared once per connection, never shared between connections, released with them.
@Suite struct HotStatementTests {
    private static let countRows = HotStatement("SELECT COUNT(*) FROM t")
    private static let insertRow = HotStatement("INSERT INTO t (n) VALUES (?)")

    @Test func eachStatementGetsItsOwnSlot() {
        #expect(Self.countRows.slot != Self.insertRow.slot)
    }

    @Test func aConnectionPreparesEachStatementOnceAndRunsItOnItself() throws {
        let first = try DatabaseQueue()
        let second = try DatabaseQueue()
        for queue in [first, second] {
            try queue.write { db in try db.execute(sql: "CREATE TABLE t (n INTEGER)") }
        }
        let firstInsert = try first.write { db in
            let statement = try db.withStatement(Self.insertRow) { $0 }
            try statement.execute(arguments: [1])
            try db.withStatement(Self.insertRow) { $0 }.execute(arguments: [2])
            #expect(try db.withStatement(Self.insertRow) { $0 } === statement)
            return ObjectIdentifier(statement)
        }
        try second.write { db in
            let statement = try db.withStatement(Self.insertRow) { $0 }
            #expect(ObjectIdentifier(statement) != firstInsert)
            try statement.execute(arguments: [3])
        }
        #expect(try first.read { try $0.withStatement(Self.countRows) { try Int.fetchOne($0) } } == 2)
        #expect(try second.read { try $0.withStatement(Self.countRows) { try Int.fetchOne($0) } } == 1)
    }

    @Test func aStatementThatFailedIsPreparedAgain() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER UNIQUE)")
            try db.withStatement(Self.insertRow) { try $0.execute(arguments: [1]) }
            #expect(throws: DatabaseError.self) { try db.withStatement(Self.insertRow) { try $0.execute(arguments: [1]) } }
            try db.withStatement(Self.insertRow) { try $0.execute(arguments: [2]) }
            #expect(try db.withStatement(Self.countRows) { try Int.fetchOne($0) } == 2)
        }
    }

    @Test func aGoneConnectionsStatementsAreFinalizedOnceAnotherConnectionNeedsAList() throws {
        weak var statement: Statement?
        do {
            let queue = try DatabaseQueue()
            try queue.write { db in
                try db.execute(sql: "CREATE TABLE t (n INTEGER)")
                statement = try db.withStatement(Self.countRows) { $0 }
            }
            #expect(statement != nil)
        }
        // GRDB lets go of a connection on its own queue, a moment after its last user.
        let deadline = ContinuousClock.now + .seconds(10)
        while statement != nil, ContinuousClock.now < deadline {
            let next = try DatabaseQueue()
            try next.write { db in
                try db.execute(sql: "CREATE TABLE t (n INTEGER)")
                _ = try db.withStatement(Self.countRows) { $0 }
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(statement == nil)
    }
}
