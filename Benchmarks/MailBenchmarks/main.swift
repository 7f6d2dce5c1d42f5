import Foundation
import Logging
import ResetPassword
import ResetPressDelivery
import ResetPressMail
import ResetPressStorage

/// Outbox drain rate to a local SMTP server over the transport's reused connections (two by default):
/// `swift run -c release MailBenchmarks [COUNT]` (default 2000). Needs Debian's python3-aiosmtpd.
///
/// Starts aiosmtpd on a free loopback port (its handler accepts and counts each message), queues COUNT
/// messages in a fresh SQLite outbox, then times `OutboxSender.drain()` until the outbox is empty.

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2000
let target = 500.0

/// A count-only SMTP server; prints `READY <port>`, and its message count on stdin's end.
let serverSource = #"""
import asyncio, sys
from aiosmtpd.smtp import SMTP
count = [0]
class Handler:
    async def handle_DATA(self, server, session, envelope):
        count[0] += 1
        return "250 2.0.0 Ok: queued as %d" % count[0]
async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Handler(), hostname="bench.invalid", decode_data=False), "127.0.0.1", 0)
    print("READY %d" % server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    print("RECEIVED %d" % count[0], flush=True)
asyncio.run(main())
"""#

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-mail-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

func fail(_ text: String) -> Never {
    try? FileManager.default.removeItem(at: folder)
    FileHandle.standardError.write(Data("MailBenchmarks: \(text)\n".utf8))
    exit(1)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}


let server = Process()
server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
server.arguments = ["-c", serverSource]
let serverInput = Pipe(), serverOutput = Pipe()
server.standardInput = serverInput
server.standardOutput = serverOutput
try server.run()
/// Reads one line of the server's output (blocking is fine here: this is the benchmark's main thread).
func serverLine() -> String {
    var line = Data()
    while let byte = try? serverOutput.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != 0x0A {
        line.append(first)
    }
    return String(decoding: line, as: UTF8.self)
}
let ready = serverLine().split(separator: " ")
guard ready.count == 2, ready[0] == "READY", let port = Int(ready[1]) else { fail("aiosmtpd did not start (apt-get install python3-aiosmtpd)") }

let database = try SQLiteDatabase(dataDirectory: folder.appendingPathComponent("data"))
let outbox = database.outbox
// Reset mail is sealed in production, so the benchmark seals and opens it too.
let sealer = InstallSecret(bytes: Data((0..<32).map { _ in UInt8.random(in: 0...255) })).mailSealer()
let from = try MailAddress(email: "no-reply@example.com", name: "Benchmark Site")
let queueStart = ContinuousClock.now
for index in 0..<count {
    let message = MailMessage(
        from: from, to: [try MailAddress(email: "user\(index)@example.org", name: "User \(index)")],
        subject: "Your reset code #\(index)", textBody: "Your code is \(100_000 + index).\nIt expires in 15 minutes.\n")
    _ = try await outbox.enqueue(
        try OutboxMail(kind: "reset_code", message: message, messageID: MessageID.generate(domain: "example.com")).sealed(with: sealer), now: Date())
}
let queued = ContinuousClock.now - queueStart

var logger = Logger(label: "bench")
logger.logLevel = .error
let transport = SMTPTransport(configuration: SMTPConfiguration(host: "127.0.0.1", port: port, security: .none), logger: logger)
let sender = OutboxSender(outbox: outbox, sealer: sealer, transport: { transport }, logger: logger, owner: "bench")
let drainStart = ContinuousClock.now
let result = try await sender.drain()
let drained = ContinuousClock.now - drainStart
await transport.close()
let connections = await transport.connectionsOpened

try serverInput.fileHandleForWriting.close()
let received = serverLine()
server.waitUntilExit()

try? FileManager.default.removeItem(at: folder)

let rate = Double(result.sent) / seconds(drained)
print(String(format: "queued %d messages in %.2f s (%.0f/s)", count, seconds(queued), Double(count) / seconds(queued)))
print(String(format: "drained %d sent, %d retried, %d failed in %.2f s over %d connection(s); server %@",
             result.sent, result.retried, result.failed, seconds(drained), connections, received as NSString))
print(String(format: "outbox drain rate: %.0f messages/s  target >= %.0f: %@", rate, target, rate >= target ? "meets" : "MISSES"))
guard result.sent == count, received == "RECEIVED \(count)", connections == 1 else { fail("not every message went out on one connection") }
