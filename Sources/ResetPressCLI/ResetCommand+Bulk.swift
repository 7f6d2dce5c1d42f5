import ArgumentParser
import Foundation
import ResetPassword
import ResetPressEngine
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
        if let importedBefore, BulkResetSelection.date(importedBefore) == nil {
            throw ValidationError("--imported-before takes YYYY-MM-DD or an ISO 8601 date and time, not '\(importedBefore)'.")
        }
        if let run, !BulkResetRunner.isRunID(run) {
            throw ValidationError("--run takes the id a run printed (letters, digits, '-', '_', '.'; at most 64).")
        }
    }

    /// Who the options select; reads the `--emails` file.
    func selection() throws -> BulkResetSelection {
        if let file = emails {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw CLIFailure("cannot read \(file).") }
            return .emails(BulkResetSelection.emails(in: text))
        }
        if let before = importedBefore.flatMap(BulkResetSelection.date) { return .createdBefore(before) }
        return .all
    }
}

extension ResetCommand.Send {
    /// `reset send --all | --emails FILE | --imported-before DATE`.
    func runBulk(_ site: Site) async throws {
        let runID = bulk.run ?? BulkResetRunner.newRunID()
        print("Run id: \(runID) (resume with --run \(runID))")
        fflush(nil)  // shown at once even in a pipe, so a killed run can be resumed
        let earlier = try await site.storage.bulkResets.count(runID: runID)
        if earlier > 0 { print("Resuming: \(earlier) users this run already sent are skipped.") }
        try await site.storage.audit.record([AuditRecord(
            at: Date(), actor: .cli, action: earlier > 0 ? "bulk_reset.resumed" : "bulk_reset.started", subject: runID,
            detail: bulk.expirePasswords ? "passwords expired" : "")])
        let runner = BulkResetRunner(
            service: try site.resetService, users: site.storage.users, store: site.storage.bulkResets, outbox: site.storage.outbox,
            batchSize: bulk.batchSize, pacing: bulk.drain ? .drain(site.mail.sender) : .waitForSender(maxQueued: bulk.maxQueued))
        let bar = ImportProgress(label: "Reset mail")
        let tally = try await runner.run(try bulk.selection(), runID: runID, expirePasswords: bulk.expirePasswords) { progress in
            if progress.waitingForSender {
                Terminal.writeError("\nWaiting for the sender: the outbox is full. Is `resetpress serve` running? Otherwise pass --drain.\n")
            } else {
                bar.update(progress.scanned, of: progress.total)
            }
        }
        bar.finish()
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
