import ArgumentParser
import Foundation
import ResetPressSite
import ResetPressStorage

/// `resetpress stats [--since 24h|30d|DATE] [--json]`: the dashboard's figures on the command line.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show how resets fared: counts per outcome, completion rate, delivery times, queue, refused IPs.")

    @OptionGroup var site: SiteOptions
    @Option(help: "The window: a span back from now (90m, 24h, 30d) or a date (2030-01-01, ISO 8601).") var since = "24h"
    @Flag(help: "Print JSON (the same figures the admin dashboard shows).") var json = false

    func validate() throws {
        _ = try CLIDate.windowStart(since: since, now: Date())
    }

    func run() async throws {
        let now = Date()
        let from = try CLIDate.windowStart(since: since, now: now)
        let stats = try await Site.readStorage(site, failure: "the events could not be read") { storage in
            try await ResetStats.read(events: storage.events, outbox: storage.outbox, from: from, to: now)
        }
        print(json ? try JSONOutput.text(stats) : Self.text(stats))
    }

    /// The figures as text tables.
    static func text(_ stats: ResetStats) -> String {
        var lines = ["From \(CLIDate.format(stats.from)) to \(CLIDate.format(stats.to))", ""]
        lines += TextTable.lines(header: ["OUTCOME", "COUNT"], rows: ResetEventKind.allCases.map { [$0.rawValue, String(stats.count($0))] })
        lines.append("")
        let rate = stats.completionRate.map { String(format: "%.1f %%", $0 * 100) } ?? "-"
        lines.append("Completion rate: \(rate) (\(stats.count(.completed)) completed of \(stats.count(.codeIssued)) codes issued)")
        let seconds = { (value: Double?) in value.map { String(format: "%.2f s", $0) } ?? "-" }
        lines.append("Request to delivery: median \(seconds(stats.deliveryMedianSeconds)), p95 \(seconds(stats.deliveryP95Seconds))")
        lines.append("Queue: " + QueueStatus.allCases.map { "\($0.rawValue) \(stats.queue[$0.rawValue] ?? 0)" }.joined(separator: ", "))
        lines.append("")
        if stats.topRefusedIPs.isEmpty {
            lines.append("No client IP was refused.")
        } else {
            lines += TextTable.lines(header: ["REFUSED IP", "COUNT"], rows: stats.topRefusedIPs.map { [$0.ip, String($0.count)] })
        }
        return lines.joined(separator: "\n")
    }
}
