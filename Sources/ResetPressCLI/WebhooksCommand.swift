import ArgumentParser
import Foundation
import ResetPressSite
import ResetPressStorage
import ResetPressWebhooks

/// `resetpress webhooks ...`: the webhook queue and the signing secret a receiver needs.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Inspect and retry the webhook queue; print the signing secret for a receiver.",
        subcommands: [QueueListCommand<WebhookKind>.self, QueueRetryCommand<WebhookKind>.self, Secret.self])

    struct Secret: SiteCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the key that signs X-ResetPress-Signature, for the receiver's configuration (only when derived from the install secret).")
        @OptionGroup var site: SiteOptions

        func run(on site: Site) async throws {
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

/// The webhook queue as `webhooks queue` and `webhooks retry` show it.
enum WebhookKind: QueueCommandKind {
    static let names = QueueCommandNames(
        command: "webhooks", singular: "webhook", plural: "webhooks", job: "send_webhooks", verb: "posts", noBody: "")
    static var columns: [(header: String, text: (WebhookEntry) -> String)] {
        [("EVENT", { $0.event }), ("URL", { $0.url })]
    }

    static func queue(of storage: SiteStorage) -> any LeasedQueue<QueuedWebhook> { storage.webhooks.erased }
}
