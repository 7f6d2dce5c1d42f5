import Foundation

/// Debian's aiosmtpd on a loopback port, storing each accepted message as `NNNNNN.eml` plus `NNNNNN.json`
/// (envelope, connection number, AUTH mechanism, TLS, and the message as Python's `email` package parses it),
/// the number of connections accepted in `connections` and the numbers of those since closed in `closed`, and (when
/// it offers `PIPELINING`) in `pipelined` how many times `MAIL FROM` and `RCPT TO` arrived in one read.
/// A `close` line on its stdin closes every open connection with a `421`, as an idle timeout would.
final class SMTPTestServer: Sendable {
    /// What the server asks of clients.
    struct Options: Sendable {
        /// Listen here; nil for any free port.
        var port: Int?
        /// STARTTLS with this certificate (required before mail), or implicit TLS when `implicitTLS`.
        var certificate: TestCertificates?
        var implicitTLS = false
        /// Require AUTH with these credentials.
        var credentials: (user: String, password: String)?
        /// Offer only these AUTH mechanisms (aiosmtpd offers PLAIN and LOGIN).
        var authMechanisms: [String] = ["PLAIN", "LOGIN"]
        /// Answer `RCPT TO` for these addresses with 550.
        var rejected: [String] = []
        /// Count messages without storing them (the benchmark).
        var countOnly = false
        /// Offer `PIPELINING` (RFC 2920) in the `EHLO` reply.
        var pipelining = false
        /// Wait this long before answering the end of each message's data.
        var dataDelay: Duration = .zero
    }

    let directory: URL
    let process: TestProcess
    var port: Int { process.port }

    private init(directory: URL, process: TestProcess) {
        self.directory = directory
        self.process = process
    }

    /// Starts a server storing into `directory` (created when missing).
    static func start(_ options: Options = Options(), directory: URL) async throws -> SMTPTestServer {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("smtp_server.py")
        try Data(source.utf8).write(to: script)
        var arguments = ["--dir", directory.path]
        if let port = options.port { arguments += ["--port", String(port)] }
        if let certificate = options.certificate {
            arguments += ["--cert", certificate.serverCertificate.path, "--key", certificate.serverKey.path]
            if options.implicitTLS { arguments.append("--implicit-tls") }
        }
        if let credentials = options.credentials {
            arguments += ["--user", credentials.user, "--password", credentials.password]
            for mechanism in ["PLAIN", "LOGIN"] where !options.authMechanisms.contains(mechanism) {
                arguments += ["--exclude-auth", mechanism]
            }
        }
        for address in options.rejected { arguments += ["--reject", address] }
        if options.countOnly { arguments.append("--count-only") }
        if options.pipelining { arguments.append("--pipelining") }
        if options.dataDelay > .zero {
            arguments += ["--data-delay", String(Double(options.dataDelay.components.seconds) + Double(options.dataDelay.components.attoseconds) / 1e18)]
        }
        let process = try await TestProcess.startPython(
            script: script, arguments: arguments, log: directory.appendingPathComponent("server.log"))
        return SMTPTestServer(directory: directory, process: process)
    }

    func stop() async {
        await process.stop()
    }

    /// The messages received so far, oldest first.
    func received() throws -> [DeliveredMail] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { try JSONDecoder().decode(DeliveredMail.self, from: Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    /// How many connections the server has accepted.
    func connectionCount() throws -> Int {
        let url = directory.appendingPathComponent("connections")
        guard FileManager.default.fileExists(atPath: url.path) else { return 0 }
        return Int(try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// How many times a client's `MAIL FROM` and `RCPT TO` arrived in one read (pipelined).
    func pipelinedEnvelopes() throws -> Int {
        let url = directory.appendingPathComponent("pipelined")
        guard FileManager.default.fileExists(atPath: url.path) else { return 0 }
        return Int(try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// The numbers of the connections closed so far (by either end), in the order the server saw them go.
    func closedConnections() throws -> [Int] {
        let url = directory.appendingPathComponent("closed")
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try JSONDecoder().decode([Int].self, from: Data(contentsOf: url))
    }

    /// Waits until the server has seen connection `number` closed.
    func waitUntilClosed(connection number: Int) async throws {
        try await waitUntil("connection \(number) closed") { try closedConnections().contains(number) }
    }

    /// Closes every open connection from the server's end and waits until the server has seen them all go.
    func closeConnections() async throws {
        let accepted = try connectionCount()
        try process.tell("close")
        try await waitUntil("all \(accepted) connections closed") { try closedConnections().count >= accepted }
    }

    /// Checks `condition` every 20 ms until it holds, failing after 20 s (a server that never gets there).
    private func waitUntil(_ what: String, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while try !condition() {
            guard ContinuousClock.now < deadline else { throw TestProcess.Failure(description: "SMTP test server: no \(what) within 20 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private static let source = #"""
    import argparse, asyncio, email, email.policy, json, os, ssl, sys
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--exclude-auth", action="append", default=[])
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--count-only", action="store_true")
    parser.add_argument("--pipelining", action="store_true")
    parser.add_argument("--data-delay", type=float, default=0)
    args = parser.parse_args()
    state = {"connections": 0, "messages": 0, "closed": [], "pipelined": 0}
    live = set()

    def write_atomically(name, data):
        path = os.path.join(args.dir, name)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)

    def parse(raw):
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        def addresses(name):
            value = msg[name]
            if value is None:
                return None
            return [{"name": a.display_name, "email": a.addr_spec} for a in value.addresses]
        parts, defects = [], [str(d) for d in msg.defects]
        for part in msg.walk():
            defects += [str(d) for d in part.defects]
            entry = {"type": part.get_content_type(), "charset": part.get_content_charset()}
            if not part.is_multipart():
                entry["content"] = part.get_content()
            parts.append(entry)
        return {"subject": None if msg["subject"] is None else str(msg["subject"]),
                "from": addresses("from"), "to": addresses("to"),
                "messageID": None if msg["message-id"] is None else str(msg["message-id"]),
                "headerNames": [k.lower() for k in msg.keys()], "defects": defects, "parts": parts}

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address in args.reject:
                return "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient table" % address
            envelope.rcpt_tos.append(address)
            return "250 2.1.5 Ok"

        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            if args.pipelining:
                responses.insert(len(responses) - 1, "250-PIPELINING")
            return responses

        async def handle_DATA(self, server, session, envelope):
            if args.data_delay:
                await asyncio.sleep(args.data_delay)
            state["messages"] += 1
            number = state["messages"]
            if not args.count_only:
                raw = envelope.original_content
                write_atomically("%06d.eml" % number, raw)
                record = {"mailFrom": envelope.mail_from, "rcptTos": envelope.rcpt_tos,
                          "connection": server.x_connection, "auth": getattr(session, "x_mechanism", None),
                          "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                          "raw": raw.decode("ascii", "replace"), "parsed": parse(raw)}
                write_atomically("%06d.json" % number, json.dumps(record).encode())
            return "250 2.0.0 Ok: queued as %d" % number

    def authenticator(server, session, envelope, mechanism, auth_data):
        session.x_mechanism = mechanism
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == args.user.encode()
              and auth_data.password == args.password.encode())
        return AuthResult(success=ok, handled=False)

    class CountingSMTP(SMTP):
        def connection_made(self, transport):
            if self._original_transport is None:  # not the second call after STARTTLS
                state["connections"] += 1
                self.x_connection = state["connections"]
                write_atomically("connections", str(state["connections"]).encode())
                live.add(self)
            super().connection_made(transport)

        def data_received(self, data):
            if b"MAIL FROM" in data and b"RCPT TO" in data:
                state["pipelined"] += 1
                write_atomically("pipelined", str(state["pipelined"]).encode())
            super().data_received(data)

        def connection_lost(self, exc):
            super().connection_lost(exc)
            if self in live:
                live.discard(self)
                state["closed"].append(self.x_connection)
                write_atomically("closed", json.dumps(state["closed"]).encode())

    def close_all():
        for protocol in list(live):
            protocol.transport.write(b"421 4.4.2 resetpress-test.invalid Closing connection as told\r\n")
            protocol.transport.close()

    def make_context():
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        return context

    async def main():
        starttls = make_context() if args.cert and not args.implicit_tls else None
        implicit = make_context() if args.cert and args.implicit_tls else None
        options = dict(hostname="resetpress-test.invalid", decode_data=False,
                       tls_context=starttls, require_starttls=starttls is not None)
        if args.user:
            options.update(authenticator=authenticator, auth_required=True, auth_require_tls=False,
                           auth_exclude_mechanism=args.exclude_auth)
        server = await asyncio.get_running_loop().create_server(
            lambda: CountingSMTP(Handler(), **options), "127.0.0.1", args.port, ssl=implicit)
        print("READY %d" % server.sockets[0].getsockname()[1], flush=True)
        while True:  # commands until the test lets go
            line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.readline)
            if not line:
                os._exit(0)
            if line.strip() == b"close":
                close_all()

    asyncio.run(main())
    """#
}

/// One message as the test SMTP server stored it.
struct DeliveredMail: Decodable {
    struct Address: Decodable, Equatable {
        var name: String
        var email: String
    }

    struct Part: Decodable {
        var type: String
        var charset: String?
        var content: String?
    }

    struct Parsed: Decodable {
        var subject: String?
        var from: [Address]?
        var to: [Address]?
        var messageID: String?
        var headerNames: [String]
        var defects: [String]
        var parts: [Part]
    }

    var mailFrom: String
    var rcptTos: [String]
    var connection: Int
    var auth: String?
    var tls: Bool
    var raw: String
    var parsed: Parsed

    /// The decoded content of the first part of `type`, with CRLF turned into LF.
    func content(of type: String) -> String? {
        parsed.parts.first { $0.type == type }?.content?.replacingOccurrences(of: "\r\n", with: "\n")
    }
}
