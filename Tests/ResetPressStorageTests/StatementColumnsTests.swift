import Foundation
import GRDB
@testable import ResetPressStorage
import Testing

/// Point reads by position: values, NULLs, a missing row, and a statement used again.
@Suite struct StatementColumnsTests {
    @Test func theFirstRowIsReadByPositionAndTheStatementIsFreeAgain() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (name TEXT, seconds REAL); INSERT INTO t VALUES (NULL, 1.5), ('ann', 2.5)")
            let statement = try db.cachedStatement(sql: "SELECT name, seconds FROM t WHERE seconds >= ? ORDER BY seconds")
            let first = try statement.readFirst(arguments: [1]) { row in (try row.value(at: 0) as String?, try row.value(at: 1) as Double) }
            #expect(first?.0 == nil && first?.1 == 1.5)
            #expect(try statement.readFirst(arguments: [2]) { try $0.value(at: 0) as String } == "ann")
            #expect(try statement.readFirst(arguments: [3]) { try $0.value(at: 0) as String? } == nil)
            #expect(throws: StorageError.unreadable("Column 0 as String")) {
                try statement.readFirst(arguments: [1]) { try $0.value(at: 0) as String }
            }
            // A failed read leaves the statement usable, and the table writable.
            #expect(try statement.readFirst(arguments: [2]) { try $0.optionalDate(at: 1) } == Date(timeIntervalSince1970: 2.5))
            try db.execute(sql: "DELETE FROM t")
        }
    }
}
