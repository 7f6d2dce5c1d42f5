import Foundation
import Logging

/// Delivers mail to an SMTP server over SwiftNIO, keeping one connection open across messages.
///
/// The connection is made on the first message, secured as ``SMTPConfiguration/security`` says (certificates
/// verified against the system's roots plus ``SMTPConfiguration/caFile``), authenticated with PLAIN or LOGIN
/// when a user name is set, and reused by later messages. Messages are sent one at a time in the order the
/// calls arrive. A connection found closed is replaced; when a reused connection breaks before a message's
/// first command is answered, the message is tried once more on a new one (nothing was sent yet). An unused
/// connection is closed with `QUIT` after ``SMTPConfiguration/idleTimeout``.
///
/// Errors carry the server's reply text. A 5xx reply to `MAIL FROM`, `RCPT TO`, `DATA` or the message is
/// permanent; every other failure is temporary (see ``SMTPFailure``). A message with several recipients is
/// sent to all or none: one refused recipient abandons the transaction.
public final class SMTPTransport: MailTransport {
    /// Where and how this transport connects.
    public let configuration: SMTPConfiguration
    /// Renders (and signs) each message.
    public let renderer: MessageRenderer
    private let session: SMTPSession

    /// Creates a transport; nothing is connected until the first message.
    public init(
        configuration: SMTPConfiguration, renderer: MessageRenderer = .plain,
        logger: Logger = Logger(label: "resetpress.mail.smtp")
    ) {
        self.configuration = configuration
        self.renderer = renderer
        self.session = SMTPSession(configuration: configuration, logger: logger)
    }

    /// Sends the rendered message; the receipt's detail is the server's reply to the end of the data.
    public func send(
        _ message: MailMessage, messageID: String, date: Date
    ) async throws(MailDeliveryError) -> MailReceipt {
        let id = MessageID.normalized(messageID, fallbackDomain: message.from.domain)
        guard !message.to.isEmpty else {
            throw MailDeliveryError(permanent: true, message: "the message has no recipient")
        }
        let data = SMTPDataEncoder.encode(try renderer.render(message, messageID: id, date: date))
        do throws(SMTPFailure) {
            let reply = try await session.deliver(
                from: message.from.asciiEmail, to: message.to.map(\.asciiEmail), data: data)
            return MailReceipt(messageID: id, detail: reply.description)
        } catch {
            throw error.deliveryError(server: configuration.serverDescription)
        }
    }

    /// Says `QUIT` on the open connection, if any, after the message being sent; a later message reconnects.
    public func close() async {
        await session.close()
    }

    /// How many connections this transport has opened so far.
    public var connectionsOpened: Int {
        get async { await session.connectionsOpened }
    }
}
