import Foundation

/// Something that delivers rendered mail: a directory of `.eml` files, an SMTP server, a sendmail binary,
/// an HTTP mail API.
///
/// Semantics every transport keeps:
/// - ``send(_:messageID:date:)`` returns only once the transport has *accepted* the message (the file is
///   durably in place, the server answered 250 to the end of DATA, the binary exited 0, the API answered 2xx).
///   Acceptance is not delivery to the mailbox; a return means the outbox may mark the message sent.
/// - It throws only ``MailDeliveryError``. `permanent: true` means the same message will never be accepted
///   (a 5xx reply, a rejected recipient, an API 4xx other than rate limiting): the outbox stops retrying.
///   `permanent: false` means trying again later may work (a network error, a 4xx reply, a full disk).
/// - The same `messageID` and `date` are passed on every retry of one outbox entry, so the rendered message is
///   the same each time and receivers can de-duplicate by `Message-ID`.
/// - Implementations are safe to call concurrently.
/// - ``close()`` releases what the transport keeps open between messages (an SMTP connection); a later
///   ``send(_:messageID:date:)`` opens it again. Transports that keep nothing open do nothing.
/// - ``send(batch:)`` hands over several messages and answers for each, in order, with the same meaning
///   as ``send(_:messageID:date:)``: a success is an acceptance. Transports that can share work across
///   messages (one sync for many files, several connections) implement it; the default sends one at a time.
public protocol MailTransport: Sendable {
    /// Renders and hands over `message`, returning what the transport reported on acceptance.
    func send(_ message: MailMessage, messageID: String, date: Date) async throws(MailDeliveryError) -> MailReceipt

    /// Hands over every message of `batch`; returns one outcome per message, in the batch's order.
    func send(batch: [OutgoingMail]) async -> [Result<MailReceipt, MailDeliveryError>]

    /// Closes connections kept between messages, after any message being sent.
    func close() async
}

extension MailTransport {
    /// Nothing to close.
    public func close() async {}

    /// Sends the messages one after another.
    public func send(batch: [OutgoingMail]) async -> [Result<MailReceipt, MailDeliveryError>] {
        var outcomes: [Result<MailReceipt, MailDeliveryError>] = []
        outcomes.reserveCapacity(batch.count)
        for mail in batch {
            do {
                outcomes.append(.success(try await send(mail.message, messageID: mail.messageID, date: mail.date)))
            } catch {
                outcomes.append(.failure(error))
            }
        }
        return outcomes
    }
}

/// One message of a batch, with the `Message-ID` and date it keeps across retries.
public struct OutgoingMail: Sendable {
    /// The message.
    public var message: MailMessage
    /// Its `Message-ID`, the same on every try.
    public var messageID: String
    /// Its `Date`, the same on every try.
    public var date: Date

    /// Creates a batch entry.
    public init(message: MailMessage, messageID: String, date: Date) {
        self.message = message
        self.messageID = messageID
        self.date = date
    }
}

/// What a transport reported when it accepted a message.
public struct MailReceipt: Sendable, Hashable {
    /// The `Message-ID` header value that was sent.
    public var messageID: String
    /// The transport's own word, one line that the outbox keeps as the entry's delivery detail:
    /// the file's path, the SMTP server's reply to the end of the data (with the queue id it gave),
    /// Mailgun's status and message id, sendmail's exit. Never the message's body.
    public var detail: String

    /// Creates a receipt.
    public init(messageID: String, detail: String) {
        self.messageID = messageID
        self.detail = detail
    }
}

extension MailMessage {
    /// `messageID` as a transport sends it (``MessageID/normalized(_:fallbackDomain:)``); throws a
    /// permanent error when the message has no recipient, as no transport can send it.
    public func sendingID(_ messageID: String) throws(MailDeliveryError) -> String {
        guard !to.isEmpty else { throw MailDeliveryError(permanent: true, message: "the message has no recipient") }
        return MessageID.normalized(messageID, fallbackDomain: from.domain)
    }
}

/// A failed hand-over: whether retrying can help, and the server's or command's own message.
public struct MailDeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// True when the message will never be accepted as it is; false when a later retry may succeed.
    public var permanent: Bool
    /// The server's reply, the command's output or the system error, as reported.
    public var message: String

    /// Creates an error.
    public init(permanent: Bool, message: String) {
        self.permanent = permanent
        self.message = message
    }

    /// `permanent mail delivery failure: …` or `temporary mail delivery failure: …`.
    public var description: String {
        (permanent ? "permanent" : "temporary") + " mail delivery failure: " + message
    }
}
