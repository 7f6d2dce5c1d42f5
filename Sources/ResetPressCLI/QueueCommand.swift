import ArgumentParser
import Foundation
import ResetPressEngine
import ResetPressSite
import ResetPressStorage

/// A leased queue the CLI lists and retries (`mail`, `webhooks`): its names and its payload's own
/// columns. `QueueListCommand` and `QueueRetryCommand` are the same two subcommands for each.
protocol QueueCommandKind {
    associatedtype Payload: QueuePayload
    /// How the commands speak of the queue.
    static var names: QueueCommandNames { get }
    /// The payload's columns: each header and its cell's text.
    static var columns: [(header: String, text: (QueueEntry<Payload>) -> String)] { get }
    /// The queue in the site's storage.
    static func queue(of storage: SiteStorage) -> any LeasedQueue<Payload>
}

/// How `queue` and `retry` speak of one leased queue.
struct QueueCommandNames {
    /// The parent command's name (`mail`).
    let command: String
    /// What one entry is called, and several (`message`, `messages`).
    let singular: String
    let plural: String
    /// The job that drains the queue without a server (`send_mail`), and what its sender does
    /// with an entry (`sends`, `posts`).
    let job: String
    let verb: String
    /// Why a failed entry may have nothing left to retry (empty when it always has).
    let noBody: String
}

/// `resetpress <queue> queue`: the counts per status, then the newest entries.
struct QueueListCommand<Kind: QueueCommandKind>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "queue", abstract: "List \(Kind.names.plural), newest first.")
    }

    @OptionGroup var site: SiteOptions
    @Option(help: "Only entries in this status: queued, sending, sent or failed.") var status: String?
    @Option(help: "How many entries to show.") var limit = 50

    func validate() throws {
        if let status, QueueStatus(rawValue: status) == nil {
            throw ValidationError("--status must be one of \(QueueStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard limit >= 0 else { throw ValidationError("--limit must not be negative.") }
    }

    func run() async throws {
        let queue = Kind.queue(of: try await Site.open(site).storage)
        let counts = try await queue.counts()
        print(QueueStatus.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", "))
        let entries = try await queue.list(status: status.flatMap(QueueStatus.init(rawValue:)), limit: limit)
        guard !entries.isEmpty else { return }
        TextTable.print(
            header: ["ID", "STATUS", "SENDER", "ATTEMPTS"] + Kind.columns.map(\.header) + ["CREATED", "NEXT TRY / SENT", "LAST ERROR"],
            rows: entries.map { entry in
                let when = entry.sentAt.map(CLIDate.format) ?? (entry.status == .queued ? CLIDate.format(entry.nextAttemptAt) : "-")
                return [String(entry.id), entry.status.rawValue, TextTable.cell(entry.claimedBy ?? "-"), String(entry.attempts)]
                    + Kind.columns.map { TextTable.cell($0.text(entry), limit: 60) }
                    + [CLIDate.format(entry.createdAt), when, TextTable.cell(entry.lastError ?? "-", limit: 60)]
            })
    }
}

/// `resetpress <queue> retry [ID...]`: queues failed entries again.
struct QueueRetryCommand<Kind: QueueCommandKind>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "retry", abstract: "Queue failed \(Kind.names.plural) again (all failed ones when no id is given)\(Kind.names.noBody).")
    }

    @OptionGroup var site: SiteOptions
    @Argument(help: "Ids from `\(Kind.names.command) queue`.") var ids: [Int64] = []

    func run() async throws {
        let storage = try await Site.open(site).storage
        let now = Date()
        let count = try await Kind.queue(of: storage).retry(ids: ids.isEmpty ? nil : ids, now: now, by: .cli)
        let names = Kind.names
        print("\(count) failed \(names.singular)(s) queued again.")
        if count > 0 {
            print("A running server \(names.verb) them within a second; otherwise run `resetpress jobs run \(names.job)`.")
        }
        if !ids.isEmpty && count < ids.count {
            throw CLIFailure(
                "\(ids.count - count) of the ids given are not failed \(names.plural) with a body to send\(names.noBody). "
                    + "See `resetpress \(names.command) queue --status failed`.")
        }
    }
}
