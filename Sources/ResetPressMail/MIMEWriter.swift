import Foundation

/// Renders a ``MailMessage`` as an RFC 5322 / MIME message.
///
/// The result uses CRLF line endings throughout; header lines are at most 78 characters (an address longer
/// than a line is the only exception) and body lines at most 76. Bodies are UTF-8 in quoted-printable, so no
/// body line starts with `.` and no line is long. Every header value is stripped of control characters or
/// RFC 2047-encoded, so no value can add a header. Every message says `Auto-Submitted: auto-generated`
/// (RFC 3834: automatic mail, not to be auto-answered) and carries no `List-Unsubscribe`: it is not a mailing.
public enum MIMEWriter {
    /// The RFC 3834 header every message carries.
    public static let autoSubmittedHeader = "Auto-Submitted: auto-generated"

    /// The whole message, headers and body, ending with CRLF.
    ///
    /// - Parameters:
    ///   - messageID: the `Message-ID`, normally from ``MessageID/generate(domain:)``; brackets are added when
    ///     missing and a fresh id is used when it is unusable.
    ///   - date: the `Date` header, written in GMT.
    public static func render(_ message: MailMessage, messageID: String, date: Date) -> String {
        var headers = [
            dateLine(Int(date.timeIntervalSince1970.rounded(.down))),
            HeaderEncoding.fold(
                name: "Message-ID",
                words: [MessageID.normalized(messageID, fallbackDomain: message.from.domain)]
            ),
            fromLine(message.from),
        ]
        if let replyTo = message.replyTo {
            headers.append(HeaderEncoding.fold(name: "Reply-To", words: addressListWords([replyTo])))
        }
        headers.append(HeaderEncoding.fold(name: "To", words: addressListWords(message.to)))
        headers.append(subjectLine(message.subject))
        headers.append(autoSubmittedHeader)
        headers.append("MIME-Version: 1.0")

        let html = message.htmlBody.flatMap { $0.isEmpty ? nil : $0 }
        // The message is built in one string, each part appended once.
        var output = ""
        guard let html else {
            let encodedText = QuotedPrintable.encode(message.textBody)
            output.reserveCapacity(encodedText.utf8.count + 1024)
            append(headers + plainPartHeaders, to: &output)
            output += encodedText
            return output
        }
        let text = message.textBody.isEmpty ? HTMLToText.convert(html) : message.textBody
        let encodedText = QuotedPrintable.encode(text)
        let encodedHTML = QuotedPrintable.encode(html)
        // Quoted-printable output never holds "=_" (a literal "=" is always encoded), so no part can contain it.
        let boundary = makeBoundary()
        headers.append("Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"")
        output.reserveCapacity(encodedText.utf8.count + encodedHTML.utf8.count + 1024)
        append(headers, to: &output)
        // The CRLF before each delimiter belongs to the delimiter, so one is added to keep each part's own
        // final line break in its content.
        output += "--" + boundary + "\r\n"
        append(plainPartHeaders, to: &output)
        output += encodedText
        output += "\r\n--" + boundary + "\r\n"
        append(htmlPartHeaders, to: &output)
        output += encodedHTML
        output += "\r\n--" + boundary + "--\r\n"
        return output
    }

    /// `date` in RFC 5322 form, e.g. `Tue, 03 Jun 2025 14:05:09 +0000`.
    public static func formatDate(_ date: Date) -> String {
        MailDate.rfc5322(date)
    }

    /// The words of a comma-separated mailbox list; `undisclosed-recipients:;` when empty.
    static func addressListWords(_ addresses: [MailAddress]) -> [String] {
        guard !addresses.isEmpty else { return ["undisclosed-recipients:;"] }
        var words: [String] = []
        for (index, address) in addresses.enumerated() {
            var mailbox = HeaderEncoding.phraseWords(address.name ?? "")
            mailbox.append(mailbox.isEmpty ? address.asciiEmail : "<\(address.asciiEmail)>")
            if index < addresses.count - 1 { mailbox[mailbox.count - 1] += "," }
            words += mailbox
        }
        return words
    }

    /// The Date line of a second: the mails of one second share it.
    private static let dateLine = LastValueMemo { (second: Int) in "Date: " + formatDate(Date(timeIntervalSince1970: Double(second))) }

    /// The From line: the site's sender, the same mail after mail.
    private static let fromLine = LastValueMemo { (from: MailAddress) in HeaderEncoding.fold(name: "From", words: addressListWords([from])) }

    /// The Subject line: a template's subject, the same for every mail it renders.
    private static let subjectLine = LastValueMemo { (subject: String) in
        HeaderEncoding.fold(name: "Subject", words: HeaderEncoding.unstructuredWords(subject, headerName: "Subject"))
    }

    private static let plainPartHeaders = textPartHeaders(subtype: "plain")
    private static let htmlPartHeaders = textPartHeaders(subtype: "html")

    private static func textPartHeaders(subtype: String) -> [String] {
        [
            "Content-Type: text/\(subtype); charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
    }

    /// Appends each header line and its CRLF, then the blank line that ends a header block.
    private static func append(_ headers: [String], to output: inout String) {
        for header in headers {
            output += header
            output += "\r\n"
        }
        output += "\r\n"
    }

    /// A boundary starting `=_`, which quoted-printable output can never contain.
    private static func makeBoundary() -> String {
        "=_ResetPress_" + RandomHex.make(byteCount: 16)
    }
}
