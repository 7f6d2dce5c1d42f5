import Foundation

/// What a ``LeasedQueue`` entry carries, and how every backend stores it.
///
/// The queue's own columns (`id`, `status`, `attempts`, `last_error`, `created_at`,
/// `next_attempt_at`, `sent_at`, `claimed_by`, `lease_until`) are the same in every table, and a
/// table may add one for the receiver's answer (``QueueTable/deliveryDetailColumn``); a payload
/// adds its own, described by ``table``, and reads and writes them as backend-neutral cells in
/// that order.
public protocol QueuePayload: Sendable, Equatable {
    /// The table that holds entries of this payload.
    static var table: QueueTable { get }

    /// The events a sender records as entries are delivered (with their time from queuing) and fail
    /// for good; nil records none. They name no user: the entries themselves are the user's history
    /// (the support desk reads those), and an event without one writes no entry in the events' user index.
    static var deliveryEvents: (sent: ResetEventKind, failed: ResetEventKind)? { get }

    /// The payload's column values, in the order of `table.payloadColumns`.
    func cells() throws -> [StorageTable.Cell]

    /// A payload read from its column values, in the order of `table.payloadColumns`.
    init(cells: [StorageTable.Cell]) throws

    /// Whether a body is left to send (a failed entry without one cannot be retried).
    var hasBody: Bool { get }

    /// The user the entry concerns (a user's entries are listed and deleted by it); nil when none.
    var userID: Int64? { get }

    /// The value of `table.uniqueColumn`, when the table has one.
    var uniqueKey: String? { get }

    /// Deletes the body: all of it when the entry was sent, or only the part in
    /// `table.secretBodyColumns` when it failed for good (`secretOnly`).
    mutating func deleteBody(secretOnly: Bool)
}

/// The columns of one queue table, so that one implementation per backend serves every queue.
///
/// A class: it is read on every insert and every row, and a reference is cheaper to hand around than
/// a dozen strings. The SQL fragments are built once, here.
public final class QueueTable: Sendable {
    /// The table's name (`outbox`, `webhooks`).
    public let name: String
    /// What an entry is called in errors (`Outbox entry`).
    public let entryName: String
    /// What the queue is called in the audit trail and the commands (`mail`, `webhooks`).
    public let auditName: String
    /// The payload's columns, in the order of ``QueuePayload/cells()``.
    public let payloadColumns: [String]
    /// The columns that hold the body; they are set to NULL when the entry is sent, and an entry
    /// with all of them NULL has no body left.
    public let bodyColumns: [String]
    /// The body columns that hold a secret; they are set to NULL when the entry fails for good,
    /// unless the sender keeps them.
    public let secretBodyColumns: [String]
    /// A column whose value no two entries share, and what a duplicate of it is called in errors.
    public let uniqueColumn: (name: String, description: String)?
    /// The column that keeps what the receiver answered when it took an entry
    /// (``QueueEntry/deliveryDetail``); nil when the table keeps no answer.
    public let deliveryDetailColumn: String?

    /// Every column an entry is read from, comma-separated: `id`, then the payload's, then the
    /// queue's, then ``deliveryDetailColumn`` when there is one.
    public let entryColumns: String
    /// The assignments that end a claim; every move out of `sending` makes them.
    public static let releaseClaim = "claimed_by = NULL, lease_until = NULL"
    /// The assignments that delete the body of a sent entry (`body = NULL, ...`).
    public let clearBody: String
    /// The assignments that delete the secret part of a failed entry's body; empty when it has none.
    public let clearSecretBody: String
    /// The condition of an entry whose body was not deleted.
    public let hasBodyCondition: String
    /// The columns an insert writes: the payload's, then `status, attempts, created_at, next_attempt_at`.
    public let insertColumns: String
    /// An insert with `?` markers for the payload's cells and the queue time, twice (SQLite's form).
    public let insertWithMarkers: String
    /// An insert under a ``QueueClaim``: markers for the payload's cells, the queue time twice, the
    /// owner and the lease's end (SQLite's form).
    public let insertClaimedWithMarkers: String

    public init(
        name: String, entryName: String, auditName: String, payloadColumns: [String], bodyColumns: [String], secretBodyColumns: [String],
        uniqueColumn: (name: String, description: String)? = nil, deliveryDetailColumn: String? = nil
    ) {
        self.name = name
        self.entryName = entryName
        self.auditName = auditName
        self.payloadColumns = payloadColumns
        self.bodyColumns = bodyColumns
        self.secretBodyColumns = secretBodyColumns
        self.uniqueColumn = uniqueColumn
        self.deliveryDetailColumn = deliveryDetailColumn
        let queueColumns = ["status", "attempts", "last_error", "created_at", "next_attempt_at", "sent_at", "claimed_by", "lease_until"]
        entryColumns = (["id"] + payloadColumns + queueColumns + (deliveryDetailColumn.map { [$0] } ?? [])).joined(separator: ", ")
        clearBody = bodyColumns.map { "\($0) = NULL" }.joined(separator: ", ")
        clearSecretBody = secretBodyColumns.map { "\($0) = NULL" }.joined(separator: ", ")
        hasBodyCondition = "(" + bodyColumns.map { "\($0) IS NOT NULL" }.joined(separator: " OR ") + ")"
        insertColumns = (payloadColumns + ["status", "attempts", "created_at", "next_attempt_at"]).joined(separator: ", ")
        let payloadMarkers = String(repeating: "?, ", count: payloadColumns.count)
        insertWithMarkers = "INSERT INTO \(name) (\(insertColumns)) VALUES (\(payloadMarkers)'queued', 0, ?, ?)"
        insertClaimedWithMarkers = "INSERT INTO \(name) (\(insertColumns), claimed_by, lease_until) VALUES (\(payloadMarkers)'sending', 1, ?, ?, ?, ?)"
    }
}

extension StorageTable.Cell {
    /// The text in this cell; nil when NULL. Throws for any other kind of value.
    public func text(in column: String) throws -> String? {
        switch self {
        case .null: nil
        case .text(let text): text
        default: throw StorageError.unreadable("The \(column) column (not text)")
        }
    }

    /// The bytes in this cell; nil when NULL. Throws for any other kind of value.
    public func bytes(in column: String) throws -> Data? {
        switch self {
        case .null: nil
        case .blob(let data): data
        default: throw StorageError.unreadable("The \(column) column (not bytes)")
        }
    }

    /// The integer in this cell; nil when NULL. Throws for any other kind of value.
    public func integer(in column: String) throws -> Int64? {
        switch self {
        case .null: nil
        case .integer(let value): value
        default: throw StorageError.unreadable("The \(column) column (not an integer)")
        }
    }

    /// A cell holding `text`, or NULL.
    public init(_ text: String?) { self = text.map(Self.text) ?? .null }

    /// A cell holding `value`, or NULL.
    public init(_ value: Int64?) { self = value.map(Self.integer) ?? .null }

    /// A cell holding `data`, or NULL.
    public init(_ data: Data?) { self = data.map(Self.blob) ?? .null }
}
