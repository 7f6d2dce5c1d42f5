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
        guard StatsCommand.start(since, now: Date()) != nil else {
            throw ValidationError("--since \(since) is neither a span (90m, 24h, 30d) nor a date (2030-01-01); use one of those.")
        }
        guard limit > 0 else { throw ValidationError("--limit must be a positive number.") }
    }

    func run() async throws {
        let from = StatsCommand.start(since, now: Date())
        let storage = try await Site.openStorage(site)
        let records: [AuditRecord]
        do {
            records = try await storage.audit.list(since: from, limit: limit)
            await storage.close()
        } catch {
            await storage.close()
            throw CLIFailure("the audit trail could not be read: \(error)")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(records), as: UTF8.self))
        } else if records.isEmpty {
            print("No audit records since \(since).")
        } else {
            TextTable.print(
                header: ["AT", "ACTOR", "CLIENT IP", "ACTION", "SUBJECT", "DETAIL"],
                rows: records.map { [CLIDate.format($0.at), $0.actor, $0.clientIP.isEmpty ? "-" : $0.clientIP, $0.action, $0.subject, $0.detail] })
        }
    }
}
