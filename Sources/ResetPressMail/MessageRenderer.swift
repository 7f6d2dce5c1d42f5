import Foundation

/// What every transport uses to turn a ``MailMessage`` into the text it hands over: ``MIMEWriter``'s rendering,
/// DKIM-signed when a ``DKIMSigner`` is set.
///
/// Each transport takes one at init (``plain`` by default), so signing applies to every transport alike.
public struct MessageRenderer: Sendable {
    /// Signs each rendered message; nil sends mail unsigned.
    public var dkim: DKIMSigner?

    /// Rendering without a signature.
    public static let plain = MessageRenderer()

    /// Creates a renderer that signs with `dkim` when given.
    public init(dkim: DKIMSigner? = nil) {
        self.dkim = dkim
    }

    /// The rendered message (see ``MIMEWriter/render(_:messageID:date:)``), signed with `t=` set to `date`
    /// when DKIM is on. A signing failure is a temporary ``MailDeliveryError`` (the key is the site's
    /// configuration, not the message's fault).
    public func render(_ message: MailMessage, messageID: String, date: Date) throws(MailDeliveryError) -> String {
        let raw = MIMEWriter.render(message, messageID: messageID, date: date)
        guard let dkim else { return raw }
        do {
            return try dkim.sign(raw, time: date)
        } catch {
            throw MailDeliveryError(permanent: false, message: error.description)
        }
    }
}
