import Foundation
import ResetPressTestSupport

/// Debian's aiosmtpd on a free loopback port for a served site: it answers `RCPT TO` for the `refused`
/// addresses with `550 5.1.1 <address>: Recipient address rejected: ...` (a permanent refusal) and takes every
/// other message with `250 2.0.0 Ok: queued as <id>`, storing each as `NNNNNN.json` (recipients, subject, the
/// decoded text part, the reply it gave, the raw message).
///
/// The program writes its port to `port` once it listens, and exits when its stdin ends, so it also goes when the
/// test process dies. (`ResetPressMailDeliveryTests` has a richer one for the transport's own tests.)
final class LoopbackSMTPServer: Sendable {
    /// One message the server took.
    struct Message: Decodable {
        var rcpt: [String]
        var subject: String
        var text: String
        /// The server's reply to the end of `DATA`: what the outbox row should keep as the transport's answer.
        var reply: String
        var raw: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let directory: URL
    let port: Int
    private let process: Process
    private let input: FileHandle

    private init(directory: URL, port: Int, process: Process, input: FileHandle) {
        self.directory = directory
        self.port = port
        self.process = process
        self.input = input
    }

    /// The reply `RCPT TO:<address>` gets for a refused address.
    static func refusal(of address: String) -> String {
        "550 5.1.1 <\(address)>: Recipient address rejected: User unknown in local recipient table"
    }

    /// Starts a server storing into `directory` (created) that refuses `refused`; waits (at most 20 s) until it listens.
    static func start(directory: URL, refused: [String]) async throws -> LoopbackSMTPServer {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("smtp_server.py")
        try Data(source.utf8).write(to: script)
        let log = directory.appendingPathComponent("server.log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw Failure(description: "cannot create \(log.path)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, directory.path] + refused
        let input = try withSpawnLock {
            let output = try FileHandle(forWritingTo: log)
            process.standardOutput = output
            process.standardError = output
            let input = Pipe()
            process.standardInput = input
            try process.run()
            try output.close()
            return input
        }
        let portFile = directory.appendingPathComponent("port")
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline && process.isRunning {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
                return LoopbackSMTPServer(directory: directory, port: port, process: process, input: input.fileHandleForWriting)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        throw Failure(description: "aiosmtpd did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// Ends its stdin, kills it and waits for the exit.
    func stop() {
        try? input.close()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The messages taken so far, oldest first.
    func received() throws -> [Message] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { try JSONDecoder().decode(Message.self, from: Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    private static let source = #"""
    import asyncio, email, email.policy, json, os, sys
    from aiosmtpd.smtp import SMTP

    directory, refused = sys.argv[1], set(sys.argv[2:])
    state = {"count": 0}

    def write(name, data):
        path = os.path.join(directory, name)
        with open(path + ".tmp", "wb") as handle:
            handle.write(data)
        os.replace(path + ".tmp", path)

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address in refused:
                return "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient table" % address
            envelope.rcpt_tos.append(address)
            return "250 2.1.5 Ok"

        async def handle_DATA(self, server, session, envelope):
            state["count"] += 1
            number = state["count"]
            reply = "250 2.0.0 Ok: queued as %X" % (0x4F3A2100 + number)
            raw = envelope.original_content
            message = email.message_from_bytes(raw, policy=email.policy.default)
            body = message.get_body(("plain",))
            write("%06d.json" % number, json.dumps({
                "rcpt": envelope.rcpt_tos, "subject": str(message["subject"]),
                "text": body.get_content() if body is not None else "", "reply": reply,
                "raw": raw.decode("utf-8", "replace")}).encode())
            return reply

    async def main():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(Handler(), hostname="resetpress-test.invalid", decode_data=False), "127.0.0.1", 0)
        write("port", str(server.sockets[0].getsockname()[1]).encode())
        while await loop.run_in_executor(None, sys.stdin.buffer.readline):
            pass
        os._exit(0)

    asyncio.run(main())
    """#
}
