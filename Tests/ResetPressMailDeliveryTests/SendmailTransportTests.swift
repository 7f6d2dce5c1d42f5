import Foundation
import ResetPressMail
import ResetPressTestSupport
import Testing

/// ``SendmailTransport`` against a shell script that records its arguments and standard input.
@Suite struct SendmailTransportTests {
    /// Writes `fake-sendmail` into `folder`: it saves argv (one per line) and stdin, prints `stderr` to
    /// standard error, sleeps `sleep` seconds and exits with `status`.
    static func fakeSendmail(in folder: URL, status: Int32 = 0, stderr: String = "", sleep: Int = 0) throws -> URL {
        let script = folder.appendingPathComponent("fake-sendmail")
        let source = """
        #!/bin/sh
        printf '%s\\n' "$@" > '\(folder.path)/argv'
        cat > '\(folder.path)/stdin'
        [ -n '\(stderr)' ] && printf '%s\\n' '\(stderr)' >&2
        [ \(sleep) -gt 0 ] && exec sleep \(sleep)
        exit \(status)

        """
        return try ExecutableFile.write(source, to: script)
    }

    static func message() throws -> MailMessage {
        MailMessage(
            from: try MailAddress(email: "no-reply@example.com", name: "Example Site"),
            to: [try MailAddress(email: "alice@example.org", name: "Alice"), try MailAddress(email: "bob@bücher.example")],
            subject: "Grüße", textBody: "Your code is 123456.\n")
    }

    @Test func pipesTheMessageWithTheEnvelopeAsArguments() async throws {
        let folder = try TemporaryDirectory("sendmail")
        defer { folder.remove() }
        let script = try Self.fakeSendmail(in: folder.url)
        let date = Date(timeIntervalSince1970: 1_750_000_000)
        let message = try Self.message()
        let receipt = try await SendmailTransport(path: script.path).send(message, messageID: "<s-1@example.com>", date: date)
        #expect(receipt.messageID == "<s-1@example.com>")
        #expect(receipt.detail == "\(script.path) exited 0")
        let argv = try String(contentsOf: folder.url.appendingPathComponent("argv"), encoding: .utf8)
        #expect(argv == "-i\n-f\nno-reply@example.com\n--\nalice@example.org\nbob@xn--bcher-kva.example\n")
        let stdin = try String(contentsOf: folder.url.appendingPathComponent("stdin"), encoding: .utf8)
        #expect(stdin == MIMEWriter.render(message, messageID: "<s-1@example.com>", date: date))
    }

    @Test func warningsOnStandardErrorAreKeptWhenAccepted() async throws {
        let folder = try TemporaryDirectory("sendmail-warn")
        defer { folder.remove() }
        let script = try Self.fakeSendmail(in: folder.url, stderr: "warning: queue is slow")
        let receipt = try await SendmailTransport(path: script.path).send(try Self.message(), messageID: "<s-2@example.com>", date: Date())
        #expect(receipt.detail == "\(script.path) exited 0: warning: queue is slow")
    }

    @Test(arguments: [(Int32(75), false), (67, true), (65, true), (1, false)])
    func aFailedExitKeepsStandardError(status: Int32, permanent: Bool) async throws {
        let folder = try TemporaryDirectory("sendmail-fail")
        defer { folder.remove() }
        let script = try Self.fakeSendmail(in: folder.url, status: status, stderr: "sendmail: cannot deliver: reason \(status)")
        let error = await #expect(throws: MailDeliveryError.self) {
            try await SendmailTransport(path: script.path).send(try Self.message(), messageID: "<s-3@example.com>", date: Date())
        }
        #expect(error?.permanent == permanent)
        #expect(error?.message == "sendmail: \(script.path) exited \(status): sendmail: cannot deliver: reason \(status)")
    }

    @Test func aHangingProgramIsKilledAtTheDeadline() async throws {
        let folder = try TemporaryDirectory("sendmail-hang")
        defer { folder.remove() }
        let script = try Self.fakeSendmail(in: folder.url, sleep: 120)
        let started = ContinuousClock.now
        let error = await #expect(throws: MailDeliveryError.self) {
            try await SendmailTransport(path: script.path, timeout: .milliseconds(500))
                .send(try Self.message(), messageID: "<s-4@example.com>", date: Date())
        }
        // Far below the fake program's 120-s sleep, far above a loaded machine's stalls: it was killed, not awaited.
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(error?.permanent == false)
        #expect(error?.message.contains("did not finish") == true)
    }

    @Test func aMissingProgramIsATemporaryError() async throws {
        let error = await #expect(throws: MailDeliveryError.self) {
            try await SendmailTransport(path: "/nonexistent/sendmail").send(try Self.message(), messageID: "<s-5@example.com>", date: Date())
        }
        #expect(error?.permanent == false)
        #expect(error?.message == "sendmail: /nonexistent/sendmail is not an executable file")
    }
}
