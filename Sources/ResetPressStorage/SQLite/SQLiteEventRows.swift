import Foundation

/// How the SQLite events table stores events: a request and the outcome recorded with it share a row.
///
/// The reset flow records each request as `request` followed by its outcome (`code_issued`,
/// `unknown_email`, `throttled`, ...) at the same instant, from the same client, about the same user.
/// Such a pair is one row of kind `request+<outcome>`: one row and one entry in each index where two
/// were written, about 1.4 WAL pages fewer a request. Reads expand the row back into the two events,
/// so ``EventStore`` answers as before; rows written before keep their own kinds.
enum SQLiteEventRows {
    /// One row to insert: its stored kind and the event whose other columns it takes.
    struct Row {
        let kind: String
        let event: ResetEvent
    }

    /// What the stored kind of a request paired with its outcome starts with.
    static let requestPrefix = "request+"

    /// The rows for `events`, in order, each request followed by its outcome merged into one.
    static func rows(_ events: [ResetEvent]) -> [Row] {
        var rows: [Row] = []
        rows.reserveCapacity(events.count)
        var index = events.startIndex
        while index < events.endIndex {
            let event = events[index]
            let next = events.index(after: index)
            if next < events.endIndex, pairs(event, events[next]) {
                rows.append(Row(kind: requestPrefix + events[next].kind.rawValue, event: events[next]))
                index = events.index(after: next)
            } else {
                rows.append(Row(kind: event.kind.rawValue, event: event))
                index = next
            }
        }
        return rows
    }

    /// The kinds of the events a row of stored `kind` stands for, as recorded; kinds this version
    /// does not name are left out.
    static func kinds(stored kind: String) -> [ResetEventKind] {
        guard kind.hasPrefix(requestPrefix) else { return ResetEventKind(rawValue: kind).map { [$0] } ?? [] }
        return [.request] + (ResetEventKind(rawValue: String(kind.dropFirst(requestPrefix.count))).map { [$0] } ?? [])
    }

    /// The stored kinds of the rows that hold events of `kind`, other than `request`.
    static func storedKinds(_ kind: ResetEventKind) -> [String] {
        [kind.rawValue, requestPrefix + kind.rawValue]
    }

    /// Whether `outcome` is the decision recorded with `request`, so that one row keeps both exactly.
    private static func pairs(_ request: ResetEvent, _ outcome: ResetEvent) -> Bool {
        request.kind == .request && outcome.kind != .request && outcome.at == request.at && outcome.clientIP == request.clientIP
            && outcome.userID == request.userID && request.deliverySeconds == nil && outcome.deliverySeconds == nil
    }
}
