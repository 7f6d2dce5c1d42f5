import ArgumentParser
import Foundation
import ResetPassword
import ResetPressSite
import ResetPressStorage
import ResetPressUsers

/// The options of `reset send --all | --emails FILE | --imported-before DATE`: who gets a reset
/// mail after a breach, and how the run is recorded and paced.
struct BulkResetOptions: ParsableArguments {
    @Flag(help: "Send a reset mail to every user.") var all = false
    @Option(help: "Send to the users whose emails a file lists, one per line (blank lines and # comments skipped).") var emails: String?
    @Option(name: .customLong("imported-before"), help: "Send to the users created before DATE (YYYY-MM-DD, UTC, or ISO 8601).")
    var importedBefore: String?
    @Flag(name: .customLong("expire-passwords"), help: "Make each user's current password stop working before the mail is queued.")
    var expirePasswords = false
    @Option(name: .customLong("run"), help: "Resume the run with this id: users it already sent are skipped.") var run: String?
    @Option(name: .customLong("batch-size"), help: "Users read and queued per step.") var batchSize = 500
    @Option(name: .customLong("max-queued"), help: "Wait while more mails than this are queued, so the sender keeps up.")
    var maxQueued = 2000
    @Flag(help: "Deliver the queued mail from this process after each batch, instead of leaving it to the running server.")
    var drain = false

    /// Whether a bulk selection was given.
    var isBulk: Bool { all || emails != nil || importedBefore != nil }

    mutating func validate() throws {
        if [all, emails != nil, importedBefore != nil].filter({ $0 }).count > 1 {
            throw ValidationError("Give one of --all, --emails FILE and --imported-before DATE.")
        }
        if !isBulk && (expirePasswords || run != nil || drain) {
            throw ValidationError("--expire-passwords, --run and --drain go with --all, --emails FILE or --imported-before DATE.")
        }
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 10000.") }
        guard maxQueued >= batchSize else { throw ValidationError("--max-queued must be at least --batch-size (\(batchSize)).") }
        if let importedBefore, Self.date(importedBefore) == nil {
            throw ValidationError("--imported-before takes YYYY-MM-DD or an ISO 8601 date and time, not '\(importedBefore)'.")
        }
        if let run, !Self.isRunID(run) {
            throw ValidationError("--run takes the id a run printed (letters, digits, '-', '_', '.'; at most 64).")
        }
    }

    /// `YYYY-MM-DD` (midnight UTC) or an ISO 8601 date and time.
    static func date(_ text: String) -> Date? {
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    /// Whether `text` is a plausible run id.
    static func isRunID(_ text: String) -> Bool {
        (1...64).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    /// A new run id: the UTC time and 6 random hex digits.
    static func newRunID(now: Date = Date()) -> String {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyyMMdd-HHmmss"
        return "bulk-\(format.string(from: now))-\(String(UInt32.random(in: 0...0xFFFFFF), radix: 16))"
    }
}

/// What a bulk run did.
struct BulkResetTally {
    var queued = 0, alreadySent = 0, vetoed = 0, blocked = 0, notSelected = 0, unknownEmails = 0
    var delivered = 0, deliveryFailed = 0
}

/// Runs a bulk reset: pages through the users (never all in memory), skips those the run already
/// sent, issues each a fresh code and link through the reset flow, records them, and paces on the outbox.
struct BulkResetRun {
    let site: Site
    let options: BulkResetOptions
    let runID: String
    /// Users issued at once within a batch, so the SQLite group commit serves several.
    let width = 8

    func run() async throws -> BulkResetTally {
        var tally = BulkResetTally()
        let progress = ImportProgress(label: "Reset mail")
        var scanned = 0
        if let file = options.emails {
            let emails = try Self.readEmails(file)
            for start in stride(from: 0, to: emails.count, by: options.batchSize) {
                var users: [User] = []
                for email in emails[start..<min(emails.count, start + options.batchSize)] {
                    if let user = try await site.storage.users.user(byEmail: email) { users.append(user) } else { tally.unknownEmails += 1 }
                }
                try await send(users, tally: &tally)
                scanned = min(emails.count, start + options.batchSize)
                progress.update(scanned, of: emails.count)
            }
        } else {
            let total = try await site.storage.users.count()
            let before = options.importedBefore.flatMap(BulkResetOptions.date)
            var offset = 0
            while true {
                let page = try await site.storage.users.list(offset: offset, limit: options.batchSize)
                if page.isEmpty { break }
                offset += page.count
                let chosen = before.map { date in page.filter { $0.createdAt < date } } ?? page
                tally.notSelected += page.count - chosen.count
                try await send(chosen, tally: &tally)
                progress.update(min(offset, total), of: max(total, offset))
            }
        }
        progress.finish()
        if options.drain { try await deliver(&tally) }
        return tally
    }

    /// Issues the batch's users the run has not sent yet, then waits for the outbox if it is full.
    private func send(_ users: [User], tally: inout BulkResetTally) async throws {
        let store = site.storage.bulkResets
        let done = try await store.sent(runID: runID, among: users.compactMap(\.id))
        let pending = users.filter { user in user.id.map { !done.contains($0) } ?? false }
        tally.alreadySent += users.count - pending.count
        let service = try site.resetService
        let (runID, expire) = (self.runID, options.expirePasswords)
        for start in stride(from: 0, to: pending.count, by: width) {
            let outcomes = try await withThrowingTaskGroup(of: BulkResetOutcome.self) { group in
                for user in pending[start..<min(pending.count, start + width)] {
                    group.addTask {
                        let outcome = try await service.issueBulk(for: user, expirePassword: expire)
                        if outcome == .queued, let id = user.id { try await store.markSent(runID: runID, userID: id, at: Date()) }
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
        try await pace(&tally)
    }

    /// Delivers now with `--drain`; otherwise waits while more than `--max-queued` mails are queued.
    private func pace(_ tally: inout BulkResetTally) async throws {
        if options.drain { return try await deliver(&tally) }
        var waited = 0
        while (try await site.storage.outbox.counts()[.queued] ?? 0) > options.maxQueued {
            if waited == 60 {
                Terminal.writeError("\nWaiting for the sender: the outbox is full. Is `resetpress serve` running? Otherwise pass --drain.\n")
            }
            waited += 1
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Drains the outbox from this process until nothing is due.
    private func deliver(_ tally: inout BulkResetTally) async throws {
        while true {
            let result = try await site.mail.sender.drain()
            tally.delivered += result.sent
            tally.deliveryFailed += result.failed
            if result.sent + result.retried + result.failed == 0 { return }
        }
    }

    /// The emails a file lists: one per line, trimmed, without blank lines and `#` comments.
    static func readEmails(_ path: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIFailure("cannot read \(path).") }
        return text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}

extension ResetCommand.Send {
    /// `reset send --all | --emails FILE | --imported-before DATE`.
    func runBulk(_ site: Site) async throws {
        let runID = bulk.run ?? BulkResetOptions.newRunID()
        print("Run id: \(runID) (resume with --run \(runID))")
        fflush(nil)  // shown at once even in a pipe, so a killed run can be resumed
        let earlier = try await site.storage.bulkResets.count(runID: runID)
        if earlier > 0 { print("Resuming: \(earlier) users this run already sent are skipped.") }
        let tally = try await BulkResetRun(site: site, options: bulk, runID: runID).run()
        var lines = ["\(tally.queued) reset mails queued", "\(tally.alreadySent) already sent by this run"]
        if tally.vetoed > 0 { lines.append("\(tally.vetoed) refused by allow_password_reset") }
        if tally.blocked > 0 { lines.append("\(tally.blocked) blocked by a recent cancel") }
        if tally.notSelected > 0 { lines.append("\(tally.notSelected) created on or after the date") }
        if tally.unknownEmails > 0 { lines.append("\(tally.unknownEmails) emails matching no user") }
        print("Run \(runID): " + lines.joined(separator: ", ") + ".")
        if bulk.expirePasswords { print("The queued users' passwords were expired: they must reset.") }
        if bulk.drain {
            print("Outbox drained: \(tally.delivered) sent, \(tally.deliveryFailed) failed.")
            if tally.deliveryFailed > 0 { throw ExitCode(1) }
        } else {
            print("The running server's sender delivers them; see `resetpress mail queue`.")
        }
    }
}
