import ArgumentParser
import Foundation
import ResetPressEngine
import ResetPressSite
import ResetPressStorage

/// `resetpress audit [--since 30d|DATE] [--limit N] [--json]`: who changed what, newest first.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit trail, newest first: settings written, auth codes and tokens added or removed, sign-ins, retries, bulk runs.")

    @OptionGroup var site: SiteOptions
    @Option(help: "The window: a span back from now (90m, 24h, 30d) or a date (2030-01-01, ISO 8601).") var since = "30d"
    @Option(help: "At most this many records.") var limit = 200
    @Flag(help: "Print JSON: one object per record (at, actor, client_ip, action, subject, detail).") var json = false

    func validate() throws {
        _ = try CLIDate.windowStart(since: since, now: Date())
        guard limit > 0 else { throw ValidationError("--limit must be a positive number.") }
    }

    func run() async throws {
        let from = try CLIDate.windowStart(since: since, now: Date())
        let records = try await Site.readStorage(site, failure: "the audit trail could not be read") { storage in
            try await storage.audit.list(since: from, limit: limit)
        }
        if json {
            print(try JSONOutput.text(records))
        } else if records.isEmpty {
            print("No audit records since \(since).")
        } else {
            TextTable.print(
                header: ["AT", "ACTOR", "CLIENT IP", "ACTION", "SUBJECT", "DETAIL"],
                rows: records.map { [CLIDate.format($0.at), $0.actor, $0.clientIP.isEmpty ? "-" : $0.clientIP, $0.action, $0.subject, $0.detail] })
        }
    }
}
