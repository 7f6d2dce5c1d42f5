import Foundation
import Logging
import ResetPressEngine

/// Hands each message to a sendmail-compatible program (sendmail, Postfix, Exim, msmtp, nullmailer).
///
/// Runs `<path> -i -f <from> -- <recipient>...` with the rendered message (CRLF line ends) on stdin: `-i` keeps
/// a lone `.` line from ending the input, and the envelope is given explicitly rather than read from the headers
/// with `-t`. Exit status 0 is acceptance; anything the program wrote to stderr then is logged as a warning and
/// kept in the receipt. A non-zero exit is an error holding the program's stderr (or stdout): permanent for
/// `EX_DATAERR` (65), `EX_NOUSER` (67) and `EX_NOHOST` (68), temporary for the rest (`EX_TEMPFAIL` 75 among
/// them), as are a program that cannot be started, one killed by a signal and one still running at the deadline.
public struct SendmailTransport: MailTransport {
    /// The program to run.
    public let path: String
    /// How long the program may run before it is killed.
    public let timeout: Duration
    /// Renders (and signs) each message.
    public let renderer: MessageRenderer
    private let logger: Logger

    /// Exit statuses (sysexits.h) after which the same message will never be accepted.
    static let permanentStatuses: Set<Int32> = [65, 67, 68]

    /// Creates a transport running `path`.
    public init(
        path: String, timeout: Duration = .seconds(60), renderer: MessageRenderer = .plain,
        logger: Logger = Logger(label: "resetpress.mail.sendmail")
    ) {
        self.path = path
        self.timeout = timeout
        self.renderer = renderer
        self.logger = logger
    }

    /// The arguments for `message`: `-i -f <from> -- <recipients>`.
    static func arguments(for message: MailMessage) -> [String] {
        ["-i", "-f", message.from.asciiEmail, "--"] + message.to.map(\.asciiEmail)
    }

    /// Runs the program on the rendered message; the receipt's detail names the program and any warning it printed.
    public func send(
        _ message: MailMessage, messageID: String, date: Date
    ) async throws(MailDeliveryError) -> MailReceipt {
        let id = try message.sendingID(messageID)
        guard !path.isEmpty, FileManager.default.isExecutableFile(atPath: path) else {
            throw MailDeliveryError(permanent: false, message: "sendmail: \(path.isEmpty ? "no program is set" : "\(path) is not an executable file")")
        }
        let raw = try renderer.render(message, messageID: id, date: date)
        let outcome: ChildProcess.Outcome
        do {
            outcome = try await ChildProcess.run(
                executable: path, arguments: Self.arguments(for: message), input: Data(raw.utf8), timeout: timeout)
        } catch {
            throw MailDeliveryError(permanent: false, message: "sendmail: cannot run \(path): \(error)")
        }
        let said = Self.summary(outcome.stderr.isEmpty ? outcome.stdout : outcome.stderr)
        switch outcome.termination {
        case .exited(0):
            if !outcome.stderr.isEmpty {
                logger.warning("sendmail accepted the message with a warning", metadata: ["path": "\(path)", "stderr": "\(said)"])
            }
            return MailReceipt(messageID: id, detail: said.isEmpty ? "\(path) exited 0" : "\(path) exited 0: \(said)")
        case .exited(let status):
            throw MailDeliveryError(
                permanent: Self.permanentStatuses.contains(status),
                message: "sendmail: \(path) exited \(status)" + (said.isEmpty ? "" : ": \(said)"))
        case .signalled(let signal):
            throw MailDeliveryError(permanent: false, message: "sendmail: \(path) was killed by signal \(signal)" + (said.isEmpty ? "" : ": \(said)"))
        case .timedOut:
            throw MailDeliveryError(permanent: false, message: "sendmail: \(path) did not finish within \(timeout); it was killed")
        }
    }

    /// The output's text on one line, at most 500 characters.
    private static func summary(_ data: Data) -> String {
        let text = String(decoding: data, as: UTF8.self)
            .split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }.joined(separator: " / ")
        return text.count > 500 ? String(text.prefix(499)) + "…" : text
    }
}
