/// Why an SMTP exchange failed, before it is reported as a ``MailDeliveryError``.
enum SMTPFailure: Error, Sendable, Equatable {
    /// The server answered `step` with a negative reply. `forMessage` is true for the commands of one message
    /// (`MAIL FROM`, `RCPT TO`, `DATA` and the message itself), whose 5xx means this message is refused.
    case reply(step: String, reply: SMTPReply, forMessage: Bool)
    /// The connection could not be made, or it broke.
    case connection(String)
    /// A reused connection turned out to be closed or closing when a message began; nothing was sent.
    case staleConnection(String)
    /// No reply to `step` within the time allowed.
    case timeout(step: String)
    /// The TLS handshake or the certificate check failed.
    case tls(String)
    /// The server broke the protocol.
    case protocolViolation(String)
    /// The configuration cannot work with this server (no STARTTLS offered, no usable AUTH mechanism, bad CA file).
    case configuration(String)

    /// The failure as the outbox records it, prefixed with `server` (`host:port`).
    ///
    /// Only a 5xx reply to one of the message's own commands is permanent: the same message will be refused
    /// again. Everything else is temporary, including a 5xx to the greeting, `EHLO`, `STARTTLS` or `AUTH` and a
    /// `530` (authentication required) to `MAIL FROM`: those concern the site's configuration or the server, and
    /// mail queued before they are fixed goes out after.
    func deliveryError(server: String) -> MailDeliveryError {
        switch self {
        case .reply(let step, let reply, let forMessage):
            return MailDeliveryError(
                permanent: forMessage && (500..<600).contains(reply.code) && reply.code != 530,
                message: "SMTP \(server): \(step) answered \(reply)")
        case .connection(let text), .staleConnection(let text):
            return MailDeliveryError(permanent: false, message: "SMTP \(server): \(text)")
        case .timeout(let step):
            return MailDeliveryError(permanent: false, message: "SMTP \(server): no answer to \(step) in time")
        case .tls(let text):
            return MailDeliveryError(permanent: false, message: "SMTP \(server): TLS failed: \(text)")
        case .protocolViolation(let text):
            return MailDeliveryError(permanent: false, message: "SMTP \(server): protocol error: \(text)")
        case .configuration(let text):
            return MailDeliveryError(permanent: false, message: "SMTP \(server): \(text)")
        }
    }
}
