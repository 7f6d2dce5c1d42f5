import Foundation
import ResetPressDelivery
import ResetPressStorage
import ResetPressUsers

/// Which users a bulk reset ("reset everyone after a breach") sends a mail.
public enum BulkResetSelection: Sendable, Equatable {
    /// Every user.
    case all
    /// The users with these emails (ignoring case; an email matching no user is counted, not sent).
    case emails([String])
    /// The users created (imported) before this date.
    case createdBefore(Date)

    /// The emails of a list: one per line (also split at commas, semicolons and spaces), trimmed,
    /// without blank entries and `#` comment lines, each once (ignoring case), in their first order.
    public static func emails(in text: String) -> [String] {
        var seen = Set<String>()
        return text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.hasPrefix("#") }
            .flatMap { $0.split(whereSeparator: { ",; \t".contains($0) }).map(String.init) }
            .filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
    }

    /// `YYYY-MM-DD` (midnight UTC) or an ISO 8601 date and time; nil for anything else.
    public static func date(_ text: String) -> Date? {
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}

/// What a bulk run did so far.
public struct BulkResetTally: Sendable, Equatable {
    /// Users issued a fresh code and link, their mail queued.
    public var queued = 0
    /// Users this run had already sent (a resumed run), skipped.
    public var alreadySent = 0
    /// Users `allow_password_reset` refused.
    public var vetoed = 0
    /// Users blocked by a recent "that wasn't me" cancel.
    public var blocked = 0
    /// Users outside a `createdBefore` selection (created on or after the date).
    public var notSelected = 0
    /// Listed emails that match no user.
    public var unknownEmails = 0
    /// Mails delivered by the run itself (``BulkResetRunner/Pacing/drain(_:)``).
    public var delivered = 0
    /// Mails whose delivery failed for good while the run delivered them itself.
    public var deliveryFailed = 0

    /// An empty tally.
    public init() {}
}

/// Where a running bulk reset is, reported after every batch.
public struct BulkResetProgress: Sendable, Equatable {
    /// Users (or listed emails) looked at so far.
    public var scanned: Int
    /// How many there are to look at (the users, or the listed emails).
    public var total: Int
    /// What the run did so far.
    public var tally: BulkResetTally
    /// True while the run waits because the outbox holds more than the pacing allows and the sender
    /// has not caught up for 15 seconds (is a server's sender running?).
    public var waitingForSender = false
}

/// A bulk reset's loop, shared by `resetpress reset send --all` and the admin's Bulk reset page: pages
/// through the selected users (never all in memory), skips those the run already sent (``BulkResetStore``),
/// issues each a fresh code and link through ``ResetPasswordService/issueBulk(for:expirePassword:)``,
/// records them, and paces on the outbox so the sender keeps up.
public struct BulkResetRunner: Sendable {
    /// How a run keeps the outbox from growing without bound.
    public enum Pacing: Sendable {
        /// Wait while more than this many mails are queued or being sent (a running server's sender
        /// delivers them; mail it was handed off waits as `sending`).
        case waitForSender(maxQueued: Int)
        /// Deliver the queued mail with this sender after each batch (a command without a server).
        case drain(OutboxSender)
    }

    let service: ResetPasswordService
    let users: any UserStore
    let store: any BulkResetStore
    let outbox: any MailOutbox
    /// Users read and queued per step.
    public var batchSize: Int
    /// How the run paces on the outbox.
    public var pacing: Pacing
    /// Users issued at once within a batch, so the SQLite group commit serves several.
    let width = 8

    /// A runner over the reset flows, the users to page through, the runs' record and the outbox.
    public init(
        service: ResetPasswordService, users: any UserStore, store: any BulkResetStore, outbox: any MailOutbox, batchSize: Int = 500,
        pacing: Pacing = .waitForSender(maxQueued: 2000)
    ) {
        self.service = service
        self.users = users
        self.store = store
        self.outbox = outbox
        self.batchSize = max(1, batchSize)
        self.pacing = pacing
    }

    /// A new run id: `bulk-`, the UTC time and 6 random hex digits.
    public static func newRunID(now: Date = Date()) -> String {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyyMMdd-HHmmss"
        return "bulk-\(format.string(from: now))-\(String(UInt32.random(in: 0...0xFFFFFF), radix: 16))"
    }

    /// Whether `text` is a plausible run id (letters, digits, `-`, `_`, `.`; 1 to 64 of them).
    public static func isRunID(_ text: String) -> Bool {
        (1...64).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    /// How many users `selection` matches now, and how many listed emails match no user; reads the
    /// users a page at a time, sends nothing.
    public func match(_ selection: BulkResetSelection) async throws -> (users: Int, unknownEmails: Int) {
        switch selection {
        case .all:
            return (try await users.count(), 0)
        case .emails(let emails):
            var found = 0
            for email in emails where try await users.user(byEmail: email) != nil { found += 1 }
            return (found, emails.count - found)
        case .createdBefore(let date):
            var (offset, found) = (0, 0)
            while true {
                let page = try await users.list(offset: offset, limit: batchSize)
                if page.isEmpty { return (found, 0) }
                offset += page.count
                found += page.filter { $0.createdAt < date }.count
            }
        }
    }

    /// Runs `runID` over `selection`, calling `progress` after every batch. A run cancelled between
    /// batches throws `CancellationError`; the same run id resumes it later.
    public func run(
        _ selection: BulkResetSelection, runID: String, expirePasswords: Bool, progress: (BulkResetProgress) -> Void = { _ in }
    ) async throws -> BulkResetTally {
        var tally = BulkResetTally()
        switch selection {
        case .emails(let emails):
            for start in stride(from: 0, to: emails.count, by: batchSize) {
                try Task.checkCancellation()
                var found: [User] = []
                for email in emails[start..<min(emails.count, start + batchSize)] {
                    if let user = try await users.user(byEmail: email) { found.append(user) } else { tally.unknownEmails += 1 }
                }
                let scanned = min(emails.count, start + batchSize)
                try await send(found, runID: runID, expirePasswords: expirePasswords, tally: &tally) { tally, waiting in
                    progress(BulkResetProgress(scanned: scanned, total: emails.count, tally: tally, waitingForSender: waiting))
                }
            }
        case .all, .createdBefore:
            let total = try await users.count()
            let before: Date? = if case .createdBefore(let date) = selection { date } else { nil }
            var offset = 0
            while true {
                try Task.checkCancellation()
                let page = try await users.list(offset: offset, limit: batchSize)
                if page.isEmpty { break }
                offset += page.count
                let chosen = before.map { date in page.filter { $0.createdAt < date } } ?? page
                tally.notSelected += page.count - chosen.count
                let (scanned, seen) = (min(offset, total), max(total, offset))
                try await send(chosen, runID: runID, expirePasswords: expirePasswords, tally: &tally) { tally, waiting in
                    progress(BulkResetProgress(scanned: scanned, total: seen, tally: tally, waitingForSender: waiting))
                }
            }
        }
        if case .drain(let sender) = pacing { try await deliver(sender, &tally) }
        return tally
    }

    /// Issues the batch's users the run has not sent yet, reports, then paces on the outbox
    /// (`report(tally, true)` while it waits for a sender that does not catch up).
    private func send(
        _ batch: [User], runID: String, expirePasswords: Bool, tally: inout BulkResetTally,
        report: (BulkResetTally, Bool) -> Void
    ) async throws {
        let done = try await store.sent(runID: runID, among: batch.compactMap(\.id))
        let pending = batch.filter { user in user.id.map { !done.contains($0) } ?? false }
        tally.alreadySent += batch.count - pending.count
        let (service, store) = (self.service, self.store)
        for start in stride(from: 0, to: pending.count, by: width) {
            let outcomes = try await withThrowingTaskGroup(of: BulkResetOutcome.self) { group in
                for user in pending[start..<min(pending.count, start + width)] {
                    group.addTask {
                        let outcome = try await service.issueBulk(for: user, expirePassword: expirePasswords)
                        if outcome == .queued, let id = user.id { try await store.markSent(runID: runID, userID: id, at: service.clock()) }
                        return outcome
                    }
                }
                return try await group.reduce(into: [BulkResetOutcome]()) { $0.append($1) }
            }
            for outcome in outcomes {
                switch outcome {
                case .queued: tally.queued += 1
                case .vetoed: tally.vetoed += 1
                case .blocked: tally.blocked += 1
                }
            }
        }
        report(tally, false)
        switch pacing {
        case .drain(let sender):
            try await deliver(sender, &tally)
        case .waitForSender(let maxQueued):
            var waited = 0
            while try await unsent() > maxQueued {
                if waited == 60 { report(tally, true) }
                waited += 1
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// How many mails the outbox holds queued or being sent.
    private func unsent() async throws -> Int {
        let counts = try await outbox.counts()
        return (counts[.queued] ?? 0) + (counts[.sending] ?? 0)
    }

    /// Delivers with `sender` until nothing is due.
    private func deliver(_ sender: OutboxSender, _ tally: inout BulkResetTally) async throws {
        while true {
            let result = try await sender.drain()
            tally.delivered += result.sent
            tally.deliveryFailed += result.failed
            if result.sent + result.retried + result.failed == 0 { return }
        }
    }
}
