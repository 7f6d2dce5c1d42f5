import Foundation
import Logging
import ResetPressEngine
import ResetPressMail
import Synchronization

/// Builds the mail transport the `mail.*` settings describe, and keeps it while they stay the same.
///
/// ``transport()`` reads the live settings each time. While the transport settings are unchanged it returns the
/// same instance, so the SMTP transport's one connection is reused across messages and batches; when they change
/// it builds a new transport and closes the old one's connection after its current message.
public final class MailTransportFactory: Sendable {
    /// The transport-relevant settings, compared to decide whether the current transport still fits.
    enum Configuration: Hashable, Sendable {
        case file(URL)
        case smtp(SMTPConfiguration)
        case sendmail(path: String)
        case mailgun(domain: String, apiKey: String, baseURL: String)
    }

    private let settings: SettingsEngine
    private let mailDirectory: URL
    private let logger: Logger
    private let current = Mutex<(configuration: Configuration, transport: any MailTransport)?>(nil)

    /// A factory over the live `settings`; the file transport writes into `mailDirectory`.
    public init(settings: SettingsEngine, mailDirectory: URL, logger: Logger) {
        self.settings = settings
        self.mailDirectory = mailDirectory
        self.logger = logger
    }

    /// A closure for ``OutboxSender``'s `transport` parameter, backed by one factory.
    public static func make(
        settings: SettingsEngine, mailDirectory: URL, logger: Logger
    ) -> @Sendable () -> any MailTransport {
        let factory = MailTransportFactory(settings: settings, mailDirectory: mailDirectory, logger: logger)
        return { factory.transport() }
    }

    /// The transport for the current settings: the previous one while they are unchanged.
    public func transport() -> any MailTransport {
        let wanted = Self.configuration(from: settings.snapshot, mailDirectory: mailDirectory)
        let (transport, replaced) = current.withLock { current -> (any MailTransport, (any MailTransport)?) in
            if let current, current.configuration == wanted { return (current.transport, nil) }
            let fresh = Self.build(wanted, logger: logger)
            let previous = current?.transport
            current = (wanted, fresh)
            return (fresh, previous)
        }
        if let replaced {
            logger.info("mail transport settings changed", metadata: ["transport": "\(Self.kind(of: wanted))"])
            Task { await replaced.close() }
        }
        return transport
    }

    /// A new transport for the settings in `snapshot`, not shared with anyone (the `mail test` command's).
    public static func transport(for snapshot: SettingsSnapshot, mailDirectory: URL, logger: Logger) -> any MailTransport {
        build(configuration(from: snapshot, mailDirectory: mailDirectory), logger: logger)
    }

    /// A short description of the transport `snapshot` selects: `smtp mail.example.com:587 (starttls)`.
    public static func describe(_ snapshot: SettingsSnapshot, mailDirectory: URL) -> String {
        switch configuration(from: snapshot, mailDirectory: mailDirectory) {
        case .file(let directory): "file \(directory.path)"
        case .smtp(let smtp): "smtp \(smtp.serverDescription) (\(smtp.security.rawValue)\(smtp.username.isEmpty ? "" : ", AUTH as \(smtp.username)"))"
        case .sendmail(let path): "sendmail \(path)"
        case .mailgun(let domain, _, let baseURL): "mailgun \(domain) via \(baseURL)"
        }
    }

    static func configuration(from snapshot: SettingsSnapshot, mailDirectory: URL) -> Configuration {
        switch snapshot[MailSettings.transport] {
        case .file:
            return .file(mailDirectory)
        case .smtp:
            let security: SMTPConfiguration.Security = switch snapshot[MailSettings.smtpSecurity] {
            case .none: .none
            case .starttls: .startTLS
            case .tls: .tls
            }
            let caFile = snapshot[MailSettings.smtpCAFile]
            return .smtp(SMTPConfiguration(
                host: snapshot[MailSettings.smtpHost], port: snapshot[MailSettings.smtpPort], security: security,
                username: snapshot[MailSettings.smtpUsername], password: snapshot[MailSettings.smtpPassword],
                caFile: caFile.isEmpty ? nil : caFile))
        case .sendmail:
            return .sendmail(path: snapshot[MailSettings.sendmailPath])
        case .mailgun:
            return .mailgun(
                domain: snapshot[MailSettings.mailgunDomain], apiKey: snapshot[MailSettings.mailgunAPIKey],
                baseURL: snapshot[MailSettings.mailgunBaseURL])
        }
    }

    private static func build(_ configuration: Configuration, logger: Logger) -> any MailTransport {
        switch configuration {
        case .file(let directory): FileMailTransport(directory: directory, logger: logger)
        case .smtp(let smtp): SMTPTransport(configuration: smtp, logger: logger)
        case .sendmail(let path): SendmailTransport(path: path, logger: logger)
        case .mailgun(let domain, let apiKey, let baseURL): MailgunTransport(domain: domain, apiKey: apiKey, baseURL: baseURL, logger: logger)
        }
    }

    private static func kind(of configuration: Configuration) -> String {
        switch configuration {
        case .file: "file"
        case .smtp: "smtp"
        case .sendmail: "sendmail"
        case .mailgun: "mailgun"
        }
    }
}
