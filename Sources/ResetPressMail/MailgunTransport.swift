import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Hands each message to Mailgun's HTTP API as a ready MIME document.
///
/// Sends `POST {baseURL}/v3/{domain}/messages.mime` with HTTP basic auth `api:{apiKey}` and a
/// `multipart/form-data` body of one `to` field per recipient and the rendered message as the `message` file,
/// so the message Mailgun sends is the one the other transports would send (same `Message-ID`, `Date`, parts,
/// `Auto-Submitted` and DKIM signature).
/// A 2xx answer is acceptance; its `id` and `message` go into the receipt. Any other answer is an error holding
/// the status and the body's `message` (or the body): temporary for 401, 403, 408, 429 and 5xx (a key or domain
/// problem is the site's configuration, not the message's), permanent for the other 4xx. Network errors and
/// timeouts are temporary. Certificates are verified.
public struct MailgunTransport: MailTransport {
    /// The sending domain registered at Mailgun.
    public let domain: String
    /// The API key.
    public let apiKey: String
    /// The API's base URL: `https://api.mailgun.net`, or `https://api.eu.mailgun.net` for the EU region.
    public let baseURL: String
    /// The limit on one request, answer included.
    public let timeout: Duration
    /// Renders (and signs) each message.
    public let renderer: MessageRenderer
    private let client: HTTPClient
    private let logger: Logger

    /// Creates a transport using `client` (the shared AsyncHTTPClient by default).
    public init(
        domain: String, apiKey: String, baseURL: String = "https://api.mailgun.net", timeout: Duration = .seconds(30),
        renderer: MessageRenderer = .plain, client: HTTPClient = .shared,
        logger: Logger = Logger(label: "resetpress.mail.mailgun")
    ) {
        self.domain = domain
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.timeout = timeout
        self.renderer = renderer
        self.client = client
        self.logger = logger
    }

    /// `{baseURL}/v3/{domain}/messages.mime`, or a configuration error when the base URL or domain is unusable.
    func endpoint() throws(MailDeliveryError) -> String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
              url.host != nil, url.query == nil else {
            throw MailDeliveryError(permanent: false, message: "Mailgun: the base URL '\(baseURL)' is not an http(s) URL")
        }
        let domainIsSafe = !domain.isEmpty && domain.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E: true
            default: false
            }
        }
        guard domainIsSafe else {
            throw MailDeliveryError(permanent: false, message: "Mailgun: the sending domain '\(domain)' is not a domain name")
        }
        return "\(base)/v3/\(domain)/messages.mime"
    }

    /// Posts the rendered message; the receipt's detail is Mailgun's id and message.
    public func send(
        _ message: MailMessage, messageID: String, date: Date
    ) async throws(MailDeliveryError) -> MailReceipt {
        let id = try message.sendingID(messageID)
        guard !apiKey.isEmpty else { throw MailDeliveryError(permanent: false, message: "Mailgun: no API key is set") }
        let url = try endpoint()
        var form = MultipartFormData()
        for recipient in message.to { form.addField(name: "to", value: recipient.asciiEmail) }
        let raw = try renderer.render(message, messageID: id, date: date)
        form.addFile(name: "message", fileName: "message.eml", type: "message/rfc822", content: Array(raw.utf8))
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Basic " + Data("api:\(apiKey)".utf8).base64EncodedString())
        request.headers.add(name: "Content-Type", value: form.contentType)
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: form.finished()))

        let status: UInt
        let body: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: timeout.timeAmount, logger: logger)
            status = response.status.code
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw MailDeliveryError(permanent: false, message: "Mailgun: request to \(url) failed: \(error)")
        }
        let answer = MailgunAnswer(body: Data(body.readableBytesView))
        guard (200..<300).contains(status) else {
            let permanent = (400..<500).contains(status) && ![401, 403, 408, 429].contains(status)
            throw MailDeliveryError(permanent: permanent, message: "Mailgun answered \(status): \(answer.text)")
        }
        return MailReceipt(messageID: id, detail: "Mailgun \(status): \(answer.text)")
    }
}

/// The useful part of a Mailgun answer: `id` and `message` from its JSON, else the body's text.
struct MailgunAnswer {
    /// `<id> message`, the message alone, or the body shortened to 500 characters.
    let text: String

    init(body data: Data) {
        struct Fields: Decodable {
            var id: String?
            var message: String?
        }
        if let fields = try? JSONDecoder().decode(Fields.self, from: data), fields.id != nil || fields.message != nil {
            text = [fields.id, fields.message].compactMap { $0 }.joined(separator: " ")
            return
        }
        let raw = String(decoding: data, as: UTF8.self)
            .split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }.joined(separator: " ")
        text = raw.isEmpty ? "(empty answer)" : raw.count > 500 ? String(raw.prefix(499)) + "…" : raw
    }
}
