import ArgumentParser
import Foundation
import ResetPassword
import ResetPressEngine
import ResetPressMail
import ResetPressSite
import ResetPressStorage
import ResetPressUsers

/// `resetpress mail ...`: the outbox and a preview of the reset mail.
struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail", abstract: "Inspect and retry the mail outbox; preview the reset mail; send a test message.",
        subcommands: [Queue.self, Retry.self, Preview.self, Test.self])

    struct Queue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List outbox entries, newest first.")
        @OptionGroup var site: SiteOptions
        @Option(help: "Only entries in this status: queued, sending, sent or failed.") var status: String?
        @Option(help: "How many entries to show.") var limit = 50

        mutating func validate() throws {
            if let status, QueueStatus(rawValue: status) == nil {
                throw ValidationError("--status must be one of \(QueueStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            guard limit >= 0 else { throw ValidationError("--limit must not be negative.") }
        }

        func run() async throws {
            let outbox = try await Site.open(site).storage.outbox
            let counts = try await outbox.counts()
            print(QueueStatus.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", "))
            let entries = try await outbox.list(status: status.flatMap(QueueStatus.init(rawValue:)), limit: limit)
            guard !entries.isEmpty else { return }
            TextTable.print(
                header: ["ID", "STATUS", "SENDER", "ATTEMPTS", "TO", "SUBJECT", "LAST ERROR"],
                rows: entries.map { entry in
                    [String(entry.id), entry.status.rawValue, TextTable.cell(entry.claimedBy ?? "-"), String(entry.attempts), entry.recipients.joined(separator: ","),
                     TextTable.cell(entry.subject), TextTable.cell(entry.lastError ?? "-", limit: 60)]
                })
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue failed entries again (all failed ones when no id is given); a failed reset mail has no body left to send.")
        @OptionGroup var site: SiteOptions
        @Argument(help: "Outbox ids from `mail queue`.") var ids: [Int64] = []

        func run() async throws {
            let site = try await Site.open(self.site)
            let count = try await site.storage.outbox.retry(ids: ids.isEmpty ? nil : ids, now: Date())
            print("\(count) failed message(s) queued again.")
            if count > 0 {
                print("A running server sends them within a second; otherwise run `resetpress jobs run send_mail`.")
            }
            if !ids.isEmpty && count < ids.count {
                throw CLIFailure(
                    "\(ids.count - count) of the ids given are not failed entries with a body to send (a reset mail's body is deleted when it fails). "
                        + "See `resetpress mail queue --status failed`.")
            }
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the reset mail as MIME text for a sample user (or a given one), with a sample code, through the mail filters.")
        @OptionGroup var site: SiteOptions
        @Option(help: "The mode to preview: store_only, default_email or custom_email (default: the current one).") var mode: String?
        @Option(name: .customLong("email-of"), help: "Preview for this user (email or login) instead of a sample user.") var emailOf: String?
        @Option(help: "The language to preview, a BCP 47 tag like fr or fr-CA (default: the user's, else site.locale).") var locale: String?

        mutating func validate() throws {
            if let mode, ResetMode(rawValue: mode) == nil {
                throw ValidationError("--mode must be one of \(ResetMode.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            if let locale {
                guard let tag = LocaleTag.normalized(locale) else { throw ValidationError("--locale '\(locale)' is not a language tag like fr or fr-CA.") }
                self.locale = tag
            }
        }

        func run() async throws {
            let site = try await Site.open(self.site)
            var settings = site.engine.settings.snapshot
            if let mode, mode != settings[ResetPasswordSettings.mode].rawValue {
                do {
                    settings = try await settings.applying([ResetPasswordSettings.mode.name: .text(mode)])
                } catch let error as SettingsWriteError {
                    throw CLIFailure(error.description)
                }
            }
            var user = ResetPasswordService.sampleUser
            if let emailOf {
                let store = site.storage.users
                var found = try await store.user(byEmail: emailOf)
                if found == nil { found = try await store.user(byLogin: emailOf) }
                guard let found else {
                    throw CLIFailure("no user has the email or login \(emailOf). See `resetpress users list`.")
                }
                user = found
            }
            let now = Date()
            let message: MailMessage?
            do {
                message = try await site.resetService.previewResetMail(for: user, settings: settings, locale: locale)
            } catch let error as MailAddressError {
                throw CLIFailure("cannot address the mail: \(error) Check mail.from and the user's email.")
            }
            guard let message else {
                print("Mode store_only sends no mail: the code is stored and the reset_password_code_created action delivers it.")
                return
            }
            print(MIMEWriter.render(message, messageID: MessageID.generate(domain: message.from.domain), date: now))
        }
    }
}
