import Foundation
import Logging
import ResetPressEngine
import ResetPressMail
import Synchronization

/// Builds the mail transport the `mail.*` settings describe, and keeps it while they stay the same.
///
/// ``transport()`` reads the live settings each time. While the transport settings are unchanged it returns the
/// same instance, so the SMTP transport's connections are reused across messages and batches; when they change
/// it builds a new transport and closes the old one's connections after their current messages.
public final class MailTransportFactory: Sendable {
    /// The transport-relevant settings, compared to decide whether the current transport still fits.
    enum Configuration: Hashable, Sendable {
        case file(URL)
        case smtp(SMTPConfiguration)
        case sendmail(path: String)
        case mailgun(domain: String, apiKey: String, baseURL: String)
    }

    /// The `mail.dkim.*` settings, the key file resolved against the site root.
    struct DKIMConfiguration: Hashable, Sendable {
        var domain: String
        var selector: String
        var keyFile: String
    }

    private let settings: SettingsEngine
    private let mailDirectory: URL
    private let root: URL?
    private let logger: Logger
    private let current = Mutex<(configuration: Configuration, dkim: DKIMConfiguration, transport: any MailTransport)?>(nil)

    /// A factory over the live `settings`; the file transport writes into `mailDirectory`, and a
    /// relative `mail.dkim.private_key_file` is found under `root` (the working directory when nil).
    public init(settings: SettingsEngine, mailDirectory: URL, root: URL? = nil, logger: Logger) {
        self.settings = settings
        self.mailDirectory = mailDirectory
        self.root = root
        self.logger = logger
    }

    /// A closure for ``OutboxSender``'s `transport` parameter, backed by one factory.
    public static func make(
        settings: SettingsEngine, mailDirectory: URL, root: URL? = nil, logger: Logger
    ) -> @Sendable () -> any MailTransport {
        let factory = MailTransportFactory(settings: settings, mailDirectory: mailDirectory, root: root, logger: logger)
        return { factory.transport() }
    }

    /// The transport for the current settings: the previous one while they are unchanged.
    public func transport() -> any MailTransport {
        let snapshot = settings.snapshot
        let wanted = Self.configuration(from: snapshot, mailDirectory: mailDirectory)
        let dkim = Self.dkimConfiguration(from: snapshot, root: root)
        let (transport, replaced) = current.withLock { current -> (any MailTransport, (any MailTransport)?) in
            if let current, current.configuration == wanted, current.dkim == dkim { return (current.transport, nil) }
            let fresh = Self.build(wanted, renderer: Self.renderer(dkim, logger: logger), logger: logger)
            let previous = current?.transport
            current = (wanted, dkim, fresh)
            return (fresh, previous)
        }
        if let replaced {
            logger.info("mail transport settings changed", metadata: ["transport": "\(Self.kind(of: wanted))"])
            Task { await replaced.close() }
        }
        return transport
    }

    /// A new transport for the settings in `snapshot`, not shared with anyone (the `mail test` command's).
    public static func transport(for snapshot: SettingsSnapshot, mailDirectory: URL, root: URL? = nil, logger: Logger) -> any MailTransport {
        build(
            configuration(from: snapshot, mailDirectory: mailDirectory),
            renderer: renderer(dkimConfiguration(from: snapshot, root: root), logger: logger), logger: logger)
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
                caFile: caFile.isEmpty ? nil : caFile, maxConnections: snapshot[MailSettings.smtpConnections]))
        case .sendmail:
            return .sendmail(path: snapshot[MailSettings.sendmailPath])
        case .mailgun:
            return .mailgun(
                domain: snapshot[MailSettings.mailgunDomain], apiKey: snapshot[MailSettings.mailgunAPIKey],
                baseURL: snapshot[MailSettings.mailgunBaseURL])
        }
    }

    private static func build(_ configuration: Configuration, renderer: MessageRenderer, logger: Logger) -> any MailTransport {
        switch configuration {
        case .file(let directory): FileMailTransport(directory: directory, renderer: renderer, logger: logger)
        case .smtp(let smtp): SMTPTransport(configuration: smtp, renderer: renderer, logger: logger)
        case .sendmail(let path): SendmailTransport(path: path, renderer: renderer, logger: logger)
        case .mailgun(let domain, let apiKey, let baseURL):
            MailgunTransport(domain: domain, apiKey: apiKey, baseURL: baseURL, renderer: renderer, logger: logger)
        }
    }

    /// The `mail.dkim.*` settings in `snapshot`, a relative key file taken from `root`.
    static func dkimConfiguration(from snapshot: SettingsSnapshot, root: URL?) -> DKIMConfiguration {
        let file = snapshot[MailSettings.dkimPrivateKeyFile].trimmingCharacters(in: .whitespaces)
        let resolved = file.isEmpty || file.hasPrefix("/") || root == nil ? file : root!.appendingPathComponent(file).path
        return DKIMConfiguration(domain: snapshot[MailSettings.dkimDomain], selector: snapshot[MailSettings.dkimSelector], keyFile: resolved)
    }

    /// The signer the settings describe (none when `mail.dkim.domain` is empty). A key that stopped
    /// loading since the settings were checked is logged and the mail goes out unsigned: never lost.
    static func renderer(_ dkim: DKIMConfiguration, logger: Logger) -> MessageRenderer {
        do {
            return MessageRenderer(dkim: try DKIMSigner.load(domain: dkim.domain, selector: dkim.selector, privateKeyFile: dkim.keyFile))
        } catch {
            logger.error("DKIM signing is off: the key does not load", metadata: ["error": "\(error)"])
            return .plain
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
