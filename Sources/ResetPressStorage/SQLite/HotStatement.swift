import GRDB
import Synchronization

/// A statement the request path runs for every request, found by a slot number instead of by its text.
///
/// `Database.cachedStatement(sql:)` hashes the whole SQL text on every lookup: about 2.5k
/// instructions for the code upsert, 8k a store_only request in all. A hot statement is prepared
/// once per connection and found by the connection's handle and the statement's slot. Declare
/// each one as a `static let`, so that its slot is drawn once.
struct HotStatement: Sendable {
    /// The next slot to hand out.
    private static let nextSlot = Atomic<Int>(0)

    /// Where this statement sits in each connection's list.
    let slot: Int
    /// The statement's text.
    let sql: String

    /// A hot statement for `sql`, in a slot of its own.
    init(_ sql: String) {
        self.sql = sql
        slot = Self.nextSlot.add(1, ordering: .relaxed).oldValue
    }
}

/// Each connection's hot statements, kept while the connection lives.
///
/// A connection's list is only touched on that connection's queue, as GRDB runs everything on it;
/// the lock guards only the map from connections to lists. A list found at a connection's address
/// is that connection's only when it also holds the connection's SQLite handle: a list left by a
/// connection that is gone still holds that connection's statements, so SQLite has not yet freed
/// its handle (`sqlite3_close_v2` waits for the last statement), and no newer connection can have
/// it. A token the connection owns (a SQL function registered on it, which GRDB releases with the
/// connection) tells, without a weak reference to the connection itself, which would move every
/// retain and release of it to the slow path, whether the connection still lives: the lists of
/// gone connections are dropped, with their statements, whenever a new list is made.
enum HotStatements {
    /// One connection's prepared hot statements, by slot.
    private final class List: @unchecked Sendable {
        let connection: SQLiteConnection?
        weak var token: DatabaseFunction?
        var statements: [Statement?] = []

        init(connection: SQLiteConnection?, token: DatabaseFunction) {
            self.connection = connection
            self.token = token
        }
    }

    private static let lists = Mutex<[ObjectIdentifier: List]>([:])

    /// Runs `body` with the connection's statement for `hot`, prepared on first use. When `body`
    /// throws, the statement is dropped, as GRDB's own cache drops a failed one: SQLite cannot reset
    /// a statement that failed to its first state.
    static func run<T>(_ hot: HotStatement, in db: Database, _ body: (Statement) throws -> T) throws -> T {
        let found = lists.withLock { $0[ObjectIdentifier(db)] }
        let list = found.flatMap { $0.connection == db.sqliteConnection ? $0 : nil } ?? makeList(for: db)
        if list.statements.count <= hot.slot {
            list.statements += Array(repeating: nil, count: hot.slot + 1 - list.statements.count)
        }
        let statement = try list.statements[hot.slot] ?? db.makeStatement(sql: hot.sql)
        list.statements[hot.slot] = statement
        do {
            return try body(statement)
        } catch {
            list.statements[hot.slot] = nil
            throw error
        }
    }

    /// A new list for `db`, with a token registered on it; drops the lists of connections that are gone.
    private static func makeList(for db: Database) -> List {
        let token = DatabaseFunction("resetpress_hot_statements", argumentCount: 0) { _ in nil }
        db.add(function: token)
        let list = List(connection: db.sqliteConnection, token: token)
        lists.withLock { lists in
            lists = lists.filter { $0.value.token != nil }
            lists[ObjectIdentifier(db)] = list
        }
        return list
    }
}

extension Database {
    /// Runs `body` with this connection's prepared statement for `hot` (``HotStatements``).
    func withStatement<T>(_ hot: HotStatement, _ body: (Statement) throws -> T) throws -> T {
        try HotStatements.run(hot, in: self, body)
    }
}
