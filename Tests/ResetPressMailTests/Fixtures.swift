import Foundation
@testable import ResetPressMail

/// Shared inputs for the mail tests.
enum Fixtures {
    static let date = Date(timeIntervalSince1970: 1_748_959_509)
    static let messageID = "<0123456789abcdef@example.com>"

    static func address(_ email: String, _ name: String? = nil) throws -> MailAddress {
        try MailAddress(email: email, name: name)
    }

    static func message(
        subject: String = "Your reset code",
        text: String = "Your code is 123456.\n",
        html: String? = nil,
        fromName: String? = "ResetPress",
        to: [MailAddress]? = nil
    ) throws -> MailMessage {
        MailMessage(
            from: try address("noreply@example.com", fromName),
            to: try to ?? [address("alice@example.org", "Alice")],
            subject: subject,
            textBody: text,
            htmlBody: html
        )
    }

    static func render(_ message: MailMessage) -> String {
        MIMEWriter.render(message, messageID: messageID, date: date)
    }

    /// The header section of a rendered message (up to the first blank line), split into lines.
    static func headerLines(_ raw: String) -> [String] {
        let head = raw.components(separatedBy: "\r\n\r\n").first ?? ""
        return head.components(separatedBy: "\r\n")
    }

    /// Every line of `raw`, split on CRLF (the last, empty piece dropped).
    static func lines(_ raw: String) -> [String] {
        Array(raw.components(separatedBy: "\r\n").dropLast())
    }
}
