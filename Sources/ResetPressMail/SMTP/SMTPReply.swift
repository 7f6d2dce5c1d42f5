/// One SMTP server reply: a three-digit code and its text, one entry per line (RFC 5321 §4.2).
struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    /// The reply code, 200–599.
    var code: Int
    /// The text after the code on each line, without the separator.
    var lines: [String]

    /// 2xx or 3xx: the command was accepted or more input is expected.
    var isPositive: Bool { (200..<400).contains(code) }

    /// `550 5.1.1 <a@b.c>: Recipient address rejected`; multi-line text joined by spaces.
    var description: String {
        let text = lines.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }.joined(separator: " ")
        return text.isEmpty ? String(code) : "\(code) \(text)"
    }
}

/// Assembles replies from the lines a server sends (`250-first`, `250-second`, `250 last`).
struct SMTPReplyParser {
    /// The longest reply line accepted (RFC 5321 allows 512 octets; servers send longer ones).
    static let maxLineLength = 8192
    /// The most lines one reply may have.
    static let maxLines = 200

    private var code: Int?
    private var lines: [String] = []

    /// Whether part of a multi-line reply has been read.
    var isInsideReply: Bool { code != nil }

    /// Takes one line without its line break; returns the reply once its last line is in.
    mutating func consume(_ line: Substring.UTF8View) throws(SMTPFailure) -> SMTPReply? {
        let bytes = Array(line)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw .protocolViolation("the server sent a line that is not a reply: \(Self.excerpt(bytes))")
        }
        let code = bytes[0...2].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard (200...599).contains(code) else {
            throw .protocolViolation("the server sent an unknown reply code: \(Self.excerpt(bytes))")
        }
        if let current = self.code, current != code {
            throw .protocolViolation("the server changed the code inside one reply: \(Self.excerpt(bytes))")
        }
        let separator = bytes.count > 3 ? bytes[3] : 0x20
        guard separator == 0x20 || separator == 0x2D else {
            throw .protocolViolation("the server sent a malformed reply line: \(Self.excerpt(bytes))")
        }
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        guard lines.count <= Self.maxLines else { throw .protocolViolation("the server sent a reply of too many lines") }
        if separator == 0x2D {
            self.code = code
            return nil
        }
        let reply = SMTPReply(code: code, lines: lines)
        self.code = nil
        lines = []
        return reply
    }

    /// The first 200 bytes of a line as text, for error messages.
    private static func excerpt(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        return text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) ? text : text.debugDescription
    }
}

/// What a server offers after `EHLO`: keywords in upper case with their parameters.
struct SMTPCapabilities: Sendable, Hashable {
    /// Keyword (upper case) to parameters, e.g. `AUTH` → `["PLAIN", "LOGIN"]`.
    var extensions: [String: [String]]

    /// Reads the lines after the greeting line of an `EHLO` reply.
    init(ehloReply: SMTPReply) {
        var extensions: [String: [String]] = [:]
        for line in ehloReply.lines.dropFirst() {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init)
            guard let keyword = words.first?.uppercased() else { continue }
            extensions[keyword, default: []] += words.dropFirst().map { $0.uppercased() }
        }
        self.extensions = extensions
    }

    /// No extensions: what a `HELO` session has.
    init() {
        extensions = [:]
    }

    /// Whether `keyword` was offered.
    func offers(_ keyword: String) -> Bool {
        extensions[keyword] != nil
    }

    /// The SASL mechanisms offered with `AUTH`.
    var authMechanisms: [String] {
        extensions["AUTH"] ?? []
    }
}
