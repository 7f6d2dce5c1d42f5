import Foundation
import ResetPressStorage
import ResetPressUsers

/// What happened to one user's password resets, newest first: the support desk's answer to "I
/// never got the email". Read from the events (which name the user by id), the user's outbox mail
/// (with the transport's answer) and their current code; it never holds a code, a link or a password.
public struct UserTimeline: Sendable, Encodable {
    /// Who the timeline is about.
    public struct Subject: Sendable, Encodable {
        public let id: Int64
        public let login: String
        public let email: String
    }

    /// The user's current code, without its hashes.
    public struct CurrentCode: Sendable, Encodable {
        public let issuedAt: Date
        public let expiresAt: Date
        public let attempts: Int
    }

    /// One thing that happened.
    public struct Entry: Sendable, Encodable, Equatable {
        /// What it concerns: `request`, `mail`, `code`, `password` or `support`.
        public let what: String
        public let at: Date
        /// What came of it: `issued`, `throttled`, `sent`, `failed`, `used`, `expired`…
        public let outcome: String
        /// The client IP of a request or a change; nil for mail and the support desk.
        public let clientIP: String?
        /// More to say: the mail's subject and the transport's answer or error, its tries.
        public let detail: String?
    }

    public let user: Subject
    public let currentCode: CurrentCode?
    /// Until when a "that wasn't me" block refuses their requests; nil when none is in force.
    public let blockedUntil: Date?
    public let entries: [Entry]

    /// The timeline of `user` at `now`, from `desk`'s stores: at most `limit` events and `limit` mails.
    static func read(for user: User, desk: SupportDesk, now: Date, limit: Int) async throws -> UserTimeline {
        guard let id = user.id else { throw SupportActionError.noSuchUser }
        let code = try await desk.codes.current(email: user.email.lowercased())
        let blocked = try await desk.codes.blockedUntil(userID: id)
        let events = try await desk.events?.events(userID: id, limit: limit) ?? []
        let mail = try await desk.outbox.entries(userID: id, limit: limit)
        // Newest first; a mail sorts above the request it answers (same time).
        let entries = (mail.map(Self.entry(from:)) + Self.entries(from: events)).sorted { $0.at > $1.at }
        return UserTimeline(
            user: Subject(id: id, login: user.login, email: user.email),
            currentCode: code.flatMap { $0.userID == id ? CurrentCode(issuedAt: $0.createdAt, expiresAt: $0.expiresAt, attempts: $0.attempts) : nil },
            blockedUntil: blocked.flatMap { $0 > now ? $0 : nil }, entries: entries)
    }

    /// The events as entries: a request and the decision recorded with it become one.
    static func entries(from events: [ResetEvent]) -> [Entry] {
        let oldestFirst = Array(events.reversed())
        var entries: [Entry] = []
        var index = 0
        while index < oldestFirst.count {
            let event = oldestFirst[index]
            index += 1
            if event.kind == .request {
                var outcome = "received"
                if index < oldestFirst.count, oldestFirst[index].at == event.at, let decided = Self.decision(oldestFirst[index].kind) {
                    outcome = decided
                    index += 1
                }
                entries.append(Entry(what: "request", at: event.at, outcome: outcome, clientIP: event.clientIP, detail: nil))
            } else if let (what, outcome) = Self.describe(event.kind) {
                entries.append(Entry(what: what, at: event.at, outcome: outcome, clientIP: event.clientIP, detail: nil))
            }
        }
        return entries
    }

    /// What a request's companion event says the flow decided.
    private static func decision(_ kind: ResetEventKind) -> String? {
        switch kind {
        case .codeIssued: "issued"
        case .throttled: "throttled: asked again too soon"
        case .blocked: "blocked by \"that wasn't me\""
        case .vetoed: "vetoed by a hook (allow_password_reset)"
        default: nil
        }
    }

    /// What an event on its own concerns and says; nil for those the mail rows tell better.
    private static func describe(_ kind: ResetEventKind) -> (String, String)? {
        switch kind {
        case .codeIssued: ("request", "issued on the owner's behalf (reset send or bulk reset)")
        case .completed: ("password", "changed: the code was used")
        case .wrongCode: ("code", "a wrong code or link was tried")
        case .expired: ("code", "expired: tried after its time")
        case .burned: ("code", "burned: too many wrong guesses")
        case .cancelled: ("code", "cancelled: \"that wasn't me\"")
        case .handover: ("support", "a hand-over link was made")
        case .throttled, .blocked, .vetoed, .rateLimited: ("request", decision(kind) ?? kind.rawValue)
        case .request, .unknownEmail, .mailSent, .mailFailed: nil
        }
    }

    /// A mail of the user's outbox as an entry.
    static func entry(from mail: OutboxEntry) -> Entry {
        let tries = mail.attempts == 1 ? "1 try" : "\(mail.attempts) tries"
        let detail: String
        switch mail.status {
        case .sent: detail = "\(mail.subject) — \(mail.deliveryDetail ?? "sent")" + (mail.sentAt.map { " at \($0.formatted(.iso8601))" } ?? "")
        case .failed: detail = "\(mail.subject) — \(mail.lastError ?? "failed") (\(tries))"
        case .queued, .sending: detail = mail.lastError.map { "\(mail.subject) — will try again: \($0) (\(tries))" } ?? mail.subject
        }
        return Entry(what: "mail", at: mail.createdAt, outcome: mail.status.rawValue, clientIP: nil, detail: detail)
    }
}
