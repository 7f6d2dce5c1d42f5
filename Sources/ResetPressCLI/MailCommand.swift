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
        subcommands: [QueueListCommand<OutboxKind>.self, QueueRetryCommand<OutboxKind>.self, Preview.self, Test.self])

    struct Preview: SiteCommand {
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

        func run(on site: Site) async throws {
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

/// The outbox as `mail queue` and `mail retry` show it; a sent message's ANSWER is the
/// transport's (the SMTP reply with its queue id, Mailgun's id, the file's path).
enum OutboxKind: QueueCommandKind {
    static let names = QueueCommandNames(
        command: "mail", singular: "message", plural: "messages", job: "send_mail", verb: "sends",
        noBody: " (a reset mail's body is deleted when it fails)")
    static var columns: [(header: String, text: (OutboxEntry) -> String)] {
        [("TO", { $0.recipients.joined(separator: ",") }), ("SUBJECT", { $0.subject }), ("ANSWER", { $0.deliveryDetail ?? "-" })]
    }

    static func queue(of storage: SiteStorage) -> any LeasedQueue<OutboxMail> { storage.outbox.erased }
}
