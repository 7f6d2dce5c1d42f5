/// One email to send: addresses, subject, a text body and an optional HTML body.
///
/// Stored as JSON in the outbox, so its coding keys are fixed: `from`, `to`, `subject`, `textBody`,
/// `htmlBody` (absent when nil) and `replyTo` (absent when nil).
public struct MailMessage: Codable, Sendable, Hashable {
    /// The sender shown in `From`.
    public var from: MailAddress
    /// The recipients shown in `To` (and used as envelope recipients by the transports).
    public var to: [MailAddress]
    /// The subject, any Unicode; control characters are dropped when rendered.
    public var subject: String
    /// The plain-text body; when empty and ``htmlBody`` is set, the text part is generated from the HTML.
    public var textBody: String
    /// The HTML body; when set (and not empty) the message is `multipart/alternative`.
    public var htmlBody: String?
    /// The `Reply-To` mailbox, if any.
    public var replyTo: MailAddress?

    /// Creates a message.
    public init(
        from: MailAddress,
        to: [MailAddress],
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        replyTo: MailAddress? = nil
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.replyTo = replyTo
    }

    private enum CodingKeys: String, CodingKey {
        case from
        case to
        case subject
        case textBody
        case htmlBody
        case replyTo
    }
}
