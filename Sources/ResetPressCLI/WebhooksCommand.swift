import ArgumentParser
import Foundation
import ResetPressSite
import ResetPressStorage
import ResetPressWebhooks

/// `resetpress webhooks ...`: the webhook queue and the signing secret a receiver needs.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Inspect and retry the webhook queue; print the signing secret for a receiver.",
        subcommands: [Queue.self, Retry.self, Secret.self])

    struct Queue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List webhook deliveries, newest first.")
        @OptionGroup var site: SiteOptions
        @Option(help: "Only deliveries in this status: queued, sending, sent or failed.") var status: String?
        @Option(help: "How many deliveries to show.") var limit = 50

        mutating func validate() throws {
            if let status, QueueStatus(rawValue: status) == nil {
                throw ValidationError("--status must be one of \(QueueStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            guard limit >= 0 else { throw ValidationError("--limit must not be negative.") }
        }

        func run() async throws {
            let queue = try await Site.open(site).storage.webhooks
            let counts = try await queue.counts()
            print(QueueStatus.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", "))
            let entries = try await queue.list(status: status.flatMap(QueueStatus.init(rawValue:)), limit: limit)
            guard !entries.isEmpty else { return }
            TextTable.print(
                header: ["ID", "EVENT", "STATUS", "SENDER", "ATTEMPTS", "URL", "CREATED", "NEXT TRY / SENT", "LAST ERROR"],
                rows: entries.map { entry in
                    let when = entry.sentAt.map(CLIDate.format) ?? (entry.status == .queued ? CLIDate.format(entry.nextAttemptAt) : "-")
                    return [
                        String(entry.id), entry.event, entry.status.rawValue, TextTable.cell(entry.claimedBy ?? "-"), String(entry.attempts),
                        TextTable.cell(entry.url, limit: 60), CLIDate.format(entry.createdAt), when, TextTable.cell(entry.lastError ?? "-", limit: 60),
                    ]
                })
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue failed deliveries again (all failed ones when no id is given).")
        @OptionGroup var site: SiteOptions
        @Argument(help: "Delivery ids from `webhooks queue`.") var ids: [Int64] = []

        func run() async throws {
            let site = try await Site.open(self.site)
            let count = try await site.storage.webhooks.retry(ids: ids.isEmpty ? nil : ids, now: Date())
            print("\(count) failed webhook(s) queued again.")
            if count > 0 {
                print("A running server posts them within a second; otherwise run `resetpress jobs run send_webhooks`.")
            }
            if !ids.isEmpty && count < ids.count {
                throw CLIFailure("\(ids.count - count) of the ids given are not failed deliveries. See `resetpress webhooks queue --status failed`.")
            }
        }
    }

    struct Secret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the key that signs X-ResetPress-Signature, for the receiver's configuration (only when derived from the install secret).")
        @OptionGroup var site: SiteOptions

        func run() async throws {
            let site = try await Site.open(self.site)
            let settings = site.engine.settings
            if WebhooksPlugin.hasConfiguredSecret(settings.snapshot) {
                let source = settings.snapshot.resolved(WebhookSettings.secret.name)?.source.description ?? "the settings"
                print("webhooks.secret is set (\(source)); the receiver verifies with that value. It is not printed: secrets never are.")
                return
            }
            print(site.webhooks.signingSecret(settings: settings.snapshot))
        }
    }
}
