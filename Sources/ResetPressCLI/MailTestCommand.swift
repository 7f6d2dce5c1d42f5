import ArgumentParser
import Foundation
import Logging
import ResetPassword
import ResetPressDelivery
import ResetPressEngine
import ResetPressMail
import ResetPressSite

extension MailCommand {
    /// `resetpress mail test --to ADDRESS`: the settings page's "send test email" button.
    struct Test: SiteCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a test message through the configured transport now (not through the outbox) and print the outcome.")
        @OptionGroup var site: SiteOptions
        @Option(help: "The address to send the test message to.") var to: String

        mutating func validate() throws {
            guard EmailAddressValidator.isValid(to.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--to '\(to)' is not an email address.")
            }
        }

        func run(on site: Site) async throws {
            let settings = site.engine.settings.snapshot
            let mailDirectory = self.site.dataURL.appendingPathComponent("mail")
            let siteName = settings[CoreSettings.siteName]
            let message: MailMessage
            do {
                message = MailMessage(
                    from: try MailAddress(email: settings[MailSettings.from], name: siteName),
                    to: [try MailAddress(email: to.trimmingCharacters(in: .whitespaces))],
                    subject: "Test message from \(siteName)",
                    textBody: """
                    This is a test message from \(siteName), sent by `resetpress mail test`.

                    If it reached you, password reset emails can reach you too.
                    """)
            } catch {
                throw CLIFailure("cannot address the test message: \(error) Check mail.from.")
            }
            let via = MailTransportFactory.describe(settings, mailDirectory: mailDirectory)
            print("Sending a test message to \(message.to[0].email) via \(via)...")
            let transport = MailTransportFactory.transport(
                for: settings, mailDirectory: mailDirectory, root: site.engine.root, logger: Logger(label: "resetpress.mail.test"))
            let started = ContinuousClock.now
            let outcome: Result<MailReceipt, MailDeliveryError>
            do {
                outcome = .success(try await transport.send(
                    message, messageID: MessageID.generate(domain: message.from.domain), date: Date()))
            } catch {
                outcome = .failure(error)
            }
            await transport.close()
            let elapsed = ContinuousClock.now - started
            switch outcome {
            case .success(let receipt):
                print("Accepted in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))): \(receipt.detail)")
                print("Message-ID: \(receipt.messageID)")
            case .failure(let error):
                throw CLIFailure("the test message was not accepted (\(error.permanent ? "permanent" : "temporary")): \(error.message)")
            }
        }
    }
}
