import Foundation

/// A loopback HTTP server standing in for Mailgun's API.
///
/// It checks each request like Mailgun would — `POST /v3/<domain>/messages.mime`, basic auth `api:<key>`,
/// a `multipart/form-data` body with `to` fields and a `message` file — answering 401 or 400 with a JSON
/// `message` when a check fails, else the configured status and body. Every request is stored as
/// `request-N.json` (path, auth result, `to` values, the message parsed by Python's `email` package).
final class MailgunTestServer: Sendable {
    let directory: URL
    let process: TestProcess
    var baseURL: String { "http://127.0.0.1:\(process.port)" }

    private init(directory: URL, process: TestProcess) {
        self.directory = directory
        self.process = process
    }

    /// Starts the server expecting `domain` and `apiKey`; valid requests get `status` and `body`.
    static func start(
        domain: String, apiKey: String, status: Int = 200,
        body: String = #"{"id": "<20250101.1@mg.example.com>", "message": "Queued. Thank you."}"#, directory: URL
    ) async throws -> MailgunTestServer {
        let script = directory.appendingPathComponent("mailgun_server.py")
        try Data(source.utf8).write(to: script)
        let process = try await TestProcess.startPython(
            script: script,
            arguments: ["--dir", directory.path, "--domain", domain, "--key", apiKey, "--status", String(status), "--body", body],
            log: directory.appendingPathComponent("mailgun.log"))
        return MailgunTestServer(directory: directory, process: process)
    }

    func stop() async {
        await process.stop()
    }

    /// The requests received so far, oldest first.
    func requests() throws -> [MailgunRequest] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("request-") }.sorted { $0.count == $1.count ? $0 < $1 : $0.count < $1.count }
        return try names.map { try JSONDecoder().decode(MailgunRequest.self, from: Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    private static let source = #"""
    import argparse, base64, email, email.policy, json, os, sys, threading
    from http.server import HTTPServer, BaseHTTPRequestHandler

    parser = argparse.ArgumentParser()
    for name in ("--dir", "--domain", "--key", "--body"):
        parser.add_argument(name, required=True)
    parser.add_argument("--status", type=int, default=200)
    args = parser.parse_args()
    count = [0]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def answer(self, status, body):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            expected = "Basic " + base64.b64encode(("api:" + args.key).encode()).decode()
            record = {"path": self.path, "authorized": self.headers.get("Authorization") == expected,
                      "contentType": self.headers.get("Content-Type", ""), "to": [], "message": None}
            form = email.message_from_bytes(
                b"Content-Type: " + record["contentType"].encode() + b"\r\n\r\n" + body, policy=email.policy.default)
            if form.is_multipart():
                for part in form.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    if name == "to":
                        record["to"].append(part.get_content().strip())
                    elif name == "message":
                        content = part.get_content()  # a message/rfc822 part comes back parsed
                        raw = content.as_bytes() if hasattr(content, "as_bytes") else bytes(content)
                        msg = email.message_from_bytes(raw, policy=email.policy.default)
                        record["message"] = {"subject": str(msg["subject"]), "messageID": str(msg["message-id"]),
                                             "to": [a.addr_spec for a in msg["to"].addresses],
                                             "text": msg.get_body(("plain",)).get_content(),
                                             "defects": [str(d) for d in msg.defects]}
            count[0] += 1
            with open(os.path.join(args.dir, "request-%d.json" % count[0]), "w") as f:
                json.dump(record, f)
            if self.path != "/v3/%s/messages.mime" % args.domain:
                return self.answer(404, json.dumps({"message": "Not found: " + self.path}))
            if not record["authorized"]:
                return self.answer(401, json.dumps({"message": "Invalid private key"}))
            if not record["to"] or record["message"] is None:
                return self.answer(400, json.dumps({"message": "'to' and 'message' parameters are missing"}))
            self.answer(args.status, args.body)

    server = HTTPServer(("127.0.0.1", 0), Handler)
    print("READY %d" % server.server_address[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()  # until the test lets go
    server.serve_forever()
    """#
}

/// One request as the Mailgun stand-in recorded it.
struct MailgunRequest: Decodable {
    struct Message: Decodable {
        var subject: String
        var messageID: String
        var to: [String]
        var text: String
        var defects: [String]
    }

    var path: String
    var authorized: Bool
    var contentType: String
    var to: [String]
    var message: Message?
}
