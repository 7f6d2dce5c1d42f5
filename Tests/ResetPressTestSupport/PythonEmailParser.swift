import Foundation

/// A message as Python's stdlib `email` package (policy `default`) sees it.
public struct ParsedMail: Decodable, Sendable {
    public struct Address: Decodable, Equatable, Sendable {
        public var name: String
        public var email: String

        public init(name: String, email: String) {
            self.name = name
            self.email = email
        }
    }

    public struct Part: Decodable, Sendable {
        public var type: String
        public var charset: String?
        public var transferEncoding: String?
        public var content: String?
    }

    public var subject: String?
    public var from: [Address]?
    public var to: [Address]?
    public var replyTo: [Address]?
    public var messageID: String?
    public var date: String?
    public var headerNames: [String]
    public var defects: [String]
    public var parts: [Part]

    /// The decoded content of the first part of `type`, with CRLF turned into LF.
    public func content(of type: String) -> String? {
        parts.first { $0.type == type }?.content?.replacingOccurrences(of: "\r\n", with: "\n")
    }
}

/// Runs `python3` with the stdlib `email` parser on a raw message fed through stdin.
public enum PythonEmailParser {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private static let script = """
    import sys, json, email, email.policy
    msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
    def addresses(name):
        value = msg[name]
        if value is None:
            return None
        return [{"name": a.display_name, "email": a.addr_spec} for a in value.addresses]
    parts, defects = [], [str(d) for d in msg.defects]
    for part in msg.walk():
        defects += [str(d) for d in part.defects]
        entry = {"type": part.get_content_type(), "charset": part.get_content_charset(),
                 "transferEncoding": part.get("Content-Transfer-Encoding")}
        if not part.is_multipart():
            entry["content"] = part.get_content()
        parts.append(entry)
    date = msg["date"]
    print(json.dumps({
        "subject": None if msg["subject"] is None else str(msg["subject"]),
        "from": addresses("from"), "to": addresses("to"), "replyTo": addresses("reply-to"),
        "messageID": None if msg["message-id"] is None else str(msg["message-id"]),
        "date": None if date is None else date.datetime.isoformat(),
        "headerNames": [k.lower() for k in msg.keys()],
        "defects": defects, "parts": parts,
    }))
    """

    /// Parses `raw` with Python and returns what it decoded.
    public static func parse(_ raw: String) throws -> ParsedMail {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("mail-\(UUID().uuidString).eml")
        try Data(raw.utf8).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }

        let process = Process()
        // Debian's interpreter directly: a version manager's shim costs a second per call under load.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = ["-c", script]
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script]
        }
        let (output, errors) = try withSpawnLock {
            process.standardInput = try FileHandle(forReadingFrom: input)
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            return (output, errors)
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 exited \(process.terminationStatus): \(errorText)")
        }
        return try JSONDecoder().decode(ParsedMail.self, from: data)
    }
}
