import ArgumentParser
import Foundation
import ResetPassword
import ResetPressMail
import ResetPressSite
import ResetPressStorage

/// `resetpress reset ...`: Coronium's `sendPasswordResetLink` and `flushExpiredPasswordResets`.
struct ResetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset", abstract: "Send a reset link to a user, or flush expired reset codes.",
        subcommands: [Send.self, Flush.self])

    struct Send: SiteCommand {
        static let configuration = CommandConfiguration(
            abstract: "Email a reset link to a known user (Coronium's users.sendPasswordResetLink), or to many after a breach.",
            discussion: """
                With EMAIL the message is queued, then the outbox is drained once, so with the file transport the .eml appears \
                under <data-dir>/mail. With --all, --emails FILE or --imported-before DATE every matching user gets a fresh \
                link; the run prints its id, and --run ID resumes it, skipping the users it already sent. The running server's \
                sender delivers the mail (or --drain here).
                """)
        @OptionGroup var site: SiteOptions
        @Argument(help: "The user's email.") var email: String?
        @OptionGroup(title: "Bulk reset") var bulk: BulkResetOptions
        @Option(name: .customLong("app-name"), help: "The application name ({{SITE_NAME}}).") var appName: String?
        @Option(help: "The sender address instead of mail.from.") var from: String?
        @Option(help: "The subject instead of the template's.") var subject: String?
        @Option(help: "A file under templates/password/ (default link.html).") var template: String?
        @Option(name: .customLong("key"), help: "A template key as KEY=VALUE ({{ KEY }} / {* KEY *}); repeatable.") var keys: [String] = []

        mutating func validate() throws {
            _ = try KeyValueArguments.parse(keys, option: "--key")
            if bulk.isBulk == (email != nil) { throw ValidationError("Give one EMAIL, or --all, --emails FILE or --imported-before DATE.") }
            if bulk.isBulk && (appName != nil || from != nil || subject != nil || template != nil || !keys.isEmpty) {
                throw ValidationError("--app-name, --from, --subject, --template and --key go with one EMAIL, not a bulk reset.")
            }
        }

        func run(on site: Site) async throws {
            guard let email else { return try await runBulk(site) }
            let options = PasswordResetLinkOptions(
                fromEmail: from, subject: subject, templateName: template, templateKeys: try KeyValueArguments.parse(keys, option: "--key"))
            do {
                try await site.resetService.sendPasswordResetLink(to: email, appName: appName, options: options)
            } catch let error as PasswordResetLinkError {
                throw CLIFailure(error.description)
            } catch let error as MailAddressError {
                throw CLIFailure("cannot address the mail: \(error) Check mail.from (`resetpress settings set mail.from ...`) and the user's email.")
            }
            let mailDirectory = site.mail.mailDirectory
            let before = Self.messageFiles(in: mailDirectory)
            let result = try await site.mail.sender.drain()
            print("Reset link for \(email) queued; outbox drained: \(result.sent) sent, \(result.retried) to retry, \(result.failed) failed.")
            for file in Self.messageFiles(in: mailDirectory).subtracting(before).sorted() {
                print("Written: \(mailDirectory.appendingPathComponent(file).path)")
            }
            let latest = try await site.storage.outbox.list(status: nil, limit: 50).first { entry in
                entry.recipients.contains { $0.lowercased() == email.lowercased() }
            }
            if let entry = latest, entry.status != .sent {
                print("Mail #\(entry.id) is \(entry.status.rawValue): \(entry.lastError ?? "no error recorded"). See `resetpress mail queue`.")
                throw ExitCode(1)
            }
        }

        /// The `.eml` file names in `directory`.
        static func messageFiles(in directory: URL) -> Set<String> {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return Set(names.filter { $0.hasSuffix(".eml") })
        }
    }

    struct Flush: SiteCommand {
        static let configuration = CommandConfiguration(abstract: "Delete expired reset codes and links (Coronium's flushExpiredPasswordResets).")
        @OptionGroup var site: SiteOptions

        func run(on site: Site) async throws {
            let deleted = try await site.resetService.flushExpiredPasswordResets()
            print("\(deleted) expired reset codes deleted.")
        }
    }
}
