import Foundation
import PostgresNIO
import ResetPressStorage

/// One statement that makes several writes, each a data-modifying common table expression:
/// PostgreSQL runs it in one round trip and, outside a transaction, commits it once, all or nothing.
///
/// Every part sees the same snapshot, and no part sees another's rows: a part may only read what an
/// earlier part `RETURNING`s (by its name), never change a row another part changes.
struct PostgresCombinedWrite {
    private var parts: [String] = []
    private var binds = PostgresBindings()
    private var bound = 0

    /// A placeholder bound to `value`.
    mutating func bind<Value: PostgresNonThrowingEncodable>(_ value: Value) -> String {
        binds.append(value)
        return placeholder()
    }

    /// A placeholder bound to `value`, or to NULL.
    mutating func bind<Value: PostgresNonThrowingEncodable>(_ value: Value?) -> String {
        if let value { binds.append(value) } else { binds.appendNull() }
        return placeholder()
    }

    /// A placeholder bound to `value`, whose encoding may throw (bytes).
    mutating func bind<Value: PostgresEncodable>(_ value: Value) throws -> String {
        try binds.append(value)
        return placeholder()
    }

    /// A placeholder bound to `value`, whose encoding may throw, or to NULL.
    mutating func bind<Value: PostgresEncodable>(_ value: Value?) throws -> String {
        if let value { try binds.append(value) } else { binds.appendNull() }
        return placeholder()
    }

    /// A placeholder bound to a backend-neutral cell.
    mutating func bind(_ cell: StorageTable.Cell) throws -> String {
        try binds.append(cell)
        return placeholder()
    }

    private mutating func placeholder() -> String {
        bound += 1
        return "$\(bound)"
    }

    /// Adds `sql` (an `INSERT`, `UPDATE` or `DELETE`, with `RETURNING` when a later part or the
    /// final select reads it) as the next part; returns the name the others read it by.
    @discardableResult
    mutating func add(_ sql: String) -> String {
        let name = "w\(parts.count)"
        parts.append("\(name) AS (\(sql))")
        return name
    }

    /// Adds the insert of `events`, one row each; nothing when there are none.
    mutating func insert(_ events: [ResetEvent]) {
        guard !events.isEmpty else { return }
        let rows = events.map { event in
            "(\(bind(event.kind.rawValue)), \(bind(event.at.databaseSeconds)), \(bind(event.clientIP)), \(bind(event.deliverySeconds)), \(bind(event.userID)))"
        }
        add("INSERT INTO events (kind, at, client_ip, delivery_seconds, user_id) VALUES \(rows.joined(separator: ", "))")
    }

    /// Adds the insert of `payload` into its queue's table, due at `now`; returns the part's name,
    /// which returns the new entry's `id`.
    @discardableResult
    mutating func insert<Payload: QueuePayload>(_ payload: Payload, now: Date) throws -> String {
        let table = Payload.table
        let values = try payload.cells().map { try bind($0) }
        let time = bind(now.databaseSeconds)
        return add("""
            INSERT INTO \(table.name) (\(table.insertColumns))
            VALUES (\(values.joined(separator: ", ")), 'queued', 0, \(time), \(time)) RETURNING id
            """)
    }

    /// Adds the inserts of the mail, webhooks and events of `effects`, queued at `now`.
    mutating func insert(_ effects: ResetEffects, now: Date) throws {
        if let mail = effects.mail { try insert(mail, now: now) }
        for webhook in effects.webhooks { try insert(webhook, now: now) }
        insert(effects.events)
    }

    /// Whether no part was added.
    var isEmpty: Bool { parts.isEmpty }

    /// The statement: every part, then `select` (which may read the parts by name).
    func query(selecting select: String) -> PostgresQuery {
        PostgresQuery(unsafeSQL: "WITH \(parts.joined(separator: ",\n")) \(select)", binds: binds)
    }
}
