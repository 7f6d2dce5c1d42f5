import ResetPressEngine
import ResetPressMail

/// The mail transport in use.
public enum MailTransportKind: String, SettingValueConvertible, CaseIterable, Sendable {
    case file, smtp, sendmail, mailgun
}

/// How the SMTP connection is secured.
public enum SMTPSecurity: String, SettingValueConvertible, CaseIterable, Sendable {
    case none, starttls, tls
}

/// The site's mail settings (SPEC §2, §7): the sender, the transport, how long sent mail is
/// remembered and how much may wait unsent.
public enum MailSettings {
    public static let from = SettingKey(
        "mail.from", default: "no-reply@example.com", kind: .string, description: "The sender address; the site name is its display name.",
        validate: { EmailAddressValidator.isValid($0) ? nil : "must be a plain email address such as no-reply@example.com" })
    public static let transport = SettingKey(
        "mail.transport", default: MailTransportKind.file, kind: .enumeration(MailTransportKind.allCases.map(\.rawValue)),
        description: "file, smtp, sendmail or mailgun.")
    public static let smtpHost = SettingKey("mail.smtp.host", default: "", kind: .string, description: "SMTP server host name.")
    public static let smtpPort = SettingKey("mail.smtp.port", default: 587, within: 1...65535, description: "SMTP server port.")
    public static let smtpSecurity = SettingKey(
        "mail.smtp.security", default: SMTPSecurity.starttls, kind: .enumeration(SMTPSecurity.allCases.map(\.rawValue)),
        description: "none, starttls or tls.")
    public static let smtpUsername = SettingKey("mail.smtp.username", default: "", kind: .string, description: "SMTP user name.")
    public static let smtpPassword = SettingKey("mail.smtp.password", default: "", kind: .secret, description: "SMTP password.")
    public static let smtpCAFile = SettingKey(
        "mail.smtp.ca_file", default: "", kind: .string,
        description: "A PEM file of CA certificates to trust besides the system's (a private mail server's CA).")
    public static let smtpConnections = SettingKey(
        "mail.smtp.connections", default: 2, within: 1...16,
        description: "SMTP connections kept open side by side, each carrying one message at a time.")
    public static let sendmailPath = SettingKey(
        "mail.sendmail.path", default: "/usr/sbin/sendmail", kind: .string, description: "A sendmail-compatible binary.")
    public static let mailgunDomain = SettingKey("mail.mailgun.domain", default: "", kind: .string, description: "Mailgun sending domain.")
    public static let mailgunAPIKey = SettingKey("mail.mailgun.api_key", default: "", kind: .secret, description: "Mailgun API key.")
    public static let mailgunBaseURL = SettingKey(
        "mail.mailgun.base_url", default: "https://api.mailgun.net", kind: .string, description: "Mailgun API base URL (EU: https://api.eu.mailgun.net).")
    public static let dkimDomain = SettingKey(
        "mail.dkim.domain", default: "", kind: .string, description: "DKIM signing domain (d=); empty: mail is not signed.")
    public static let dkimSelector = SettingKey(
        "mail.dkim.selector", default: "", kind: .string, description: "DKIM selector (s=): the key's TXT record is <selector>._domainkey.<domain>.")
    public static let dkimPrivateKeyFile = SettingKey(
        "mail.dkim.private_key_file", default: "", kind: .string,
        description: "PEM file of the RSA signing key (2048 bits or more), absolute or under the site root.")
    public static let keepSentDays = SettingKey(
        "mail.keep_sent_days", default: 30, kind: .int,
        description: "Days the outbox keeps a sent or failed entry's metadata (recipients, subject, status, error); its body goes at once.",
        validate: { $0 >= 0 ? nil : "must be 0 or more" })
    public static let queueLimit = SettingKey(
        "mail.queue_limit", default: 1000, kind: .int,
        description: "Mails this node may hold queued and unsent before a reset request waits for the sender to make room, "
            + "so a burst is paced to what the transport delivers; 0: requests never wait.",
        validate: { $0 >= 0 ? nil : "must be 0 or more" })
    public static let queueWaitMilliseconds = SettingKey(
        "mail.queue_wait_ms", default: 2000, within: 0...60_000,
        description: "The longest a request waits for room in the outbox (mail.queue_limit); then it queues its mail anyway.")

    /// Registers every `mail.*` setting; the site does this, whichever plugins are active.
    public static func register(in settings: SettingsEngine) {
        settings.register(from)
        settings.register(transport)
        settings.register(smtpHost)
        settings.register(smtpPort)
        settings.register(smtpSecurity)
        settings.register(smtpUsername)
        settings.register(smtpPassword)
        settings.register(smtpCAFile)
        settings.register(smtpConnections)
        settings.register(sendmailPath)
        settings.register(mailgunDomain)
        settings.register(mailgunAPIKey)
        settings.register(mailgunBaseURL)
        settings.register(dkimDomain)
        settings.register(dkimSelector)
        settings.register(dkimPrivateKeyFile)
        settings.register(keepSentDays)
        settings.register(queueLimit)
        settings.register(queueWaitMilliseconds)
    }
}
