import Foundation

/// What happened in a reset flow or to its mail: one row of the events table.
public enum ResetEventKind: String, Sendable, Codable, CaseIterable {
    /// A reset was asked for (any email, known or not).
    case request
    /// A code (and link) was issued.
    case codeIssued = "code_issued"
    /// A password was changed with a code or link.
    case completed
    /// A change presented a wrong code or link token.
    case wrongCode = "wrong_code"
    /// A change presented an expired code.
    case expired
    /// A code whose guesses were used up was tried (and deleted).
    case burned
    /// A request for an account that asked too recently (per-account throttle).
    case throttled
    /// A request or change refused by the per-IP limit.
    case rateLimited = "rate_limited"
    /// A request for an email no user has.
    case unknownEmail = "unknown_email"
    /// A request a filter (`allow_password_reset`) refused.
    case vetoed
    /// A request for an account its owner blocked with "that wasn't me".
    case blocked
    /// The support desk made a hand-over link for the user (never the link itself).
    case handover
    /// A pending code was cancelled by its owner.
    case cancelled
    /// A mail was delivered.
    case mailSent = "mail_sent"
    /// A mail failed for good.
    case mailFailed = "mail_failed"

    /// The kinds that refuse a client, counted per IP by ``EventStore/topRefusedIPs(from:to:limit:)``.
    public static let refusals: [ResetEventKind] = [.rateLimited, .throttled]
}

/// One event. It never carries a secret or an email: only what happened, when, from which client
/// IP, to which user (by id, when the flow knew one), and for a delivered mail how long it waited
/// since it was queued (the request).
public struct ResetEvent: Sendable, Equatable {
    public var kind: ResetEventKind
    public var at: Date
    /// The client IP that made the request; nil for events of the mail sender.
    public var clientIP: String?
    /// For ``ResetEventKind/mailSent``: seconds from queuing (the request) to delivery.
    public var deliverySeconds: Double?
    /// The user the event concerns; nil for an unknown email, a refusal before the account was
    /// looked up, the sender's delivery events (a user's outbox entries are their mail history), and
    /// events recorded before users were.
    public var userID: Int64?

    /// An event of `kind` at `at`.
    public init(_ kind: ResetEventKind, at: Date, clientIP: String? = nil, deliverySeconds: Double? = nil, userID: Int64? = nil) {
        self.kind = kind
        self.at = at
        self.clientIP = clientIP
        self.deliverySeconds = deliverySeconds
        self.userID = userID
    }
}

/// The events table: append-only, read by time window, emptied of old rows by the retention job.
///
/// Events that describe a state change are written by the store that makes the change, in its
/// transaction (the `events` parameters of ``ResetCodeStore`` and ``MailOutbox``); this protocol
/// appends the others (refusals that change nothing). Windows are half-open: an event at `from`
/// counts, one at `to` does not.
public protocol EventStore: Sendable {
    /// Appends `events` in one transaction, which may be shared with concurrent writes.
    func record(_ events: [ResetEvent]) async throws

    /// How many events of each kind happened in `[from, to)`; kinds with none are absent.
    func counts(from: Date, to: Date) async throws -> [ResetEventKind: Int]

    /// The delivery times (seconds) of the mail sent in `[from, to)`, in ascending order.
    func deliveryTimes(from: Date, to: Date) async throws -> [Double]

    /// The client IPs with the most refusals (``ResetEventKind/refusals``) in `[from, to)`, most
    /// first (ties by IP), at most `limit`.
    func topRefusedIPs(from: Date, to: Date, limit: Int) async throws -> [(ip: String, count: Int)]

    /// Deletes the events that happened before `date`; returns how many.
    func deleteOlder(than date: Date) async throws -> Int

    /// The newest `limit` events of user `userID`, newest first (ties: the last recorded first).
    func events(userID: Int64, limit: Int) async throws -> [ResetEvent]
}

extension EventStore {
    /// Appends one event.
    public func record(_ event: ResetEvent) async throws {
        try await record([event])
    }
}
