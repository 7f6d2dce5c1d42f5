import Foundation
import Logging
import Synchronization

/// Delivers mail to an SMTP server over SwiftNIO, keeping up to ``SMTPConfiguration/maxConnections`` connections
/// open across messages.
///
/// A connection is made when a message finds none free, secured as ``SMTPConfiguration/security`` says
/// (certificates verified against the system's roots plus ``SMTPConfiguration/caFile``), authenticated with PLAIN
/// or LOGIN when a user name is set, and reused by later messages. Each connection carries one message at a time;
/// a message goes to the connection with the fewest messages in hand (the first on a tie), so concurrent
/// senders use separate connections and one sender reuses one; the envelope is pipelined where the server offers
/// it (see ``SMTPConnection``). A batch is split across the connections. A connection found closed is replaced; when a reused connection breaks before a message's
/// first command is answered, the message is tried once more on a new one (nothing was sent yet). An unused
/// connection is closed with `QUIT` after ``SMTPConfiguration/idleTimeout``.
///
/// Errors carry the server's reply text. A 5xx reply to `MAIL FROM`, `RCPT TO`, `DATA` or the message is
/// permanent; every other failure is temporary (see ``SMTPFailure``). A message with several recipients is
/// sent to all or none: one refused recipient abandons the transaction.
public final class SMTPTransport: MailTransport {
    /// Where and how this transport connects.
    public let configuration: SMTPConfiguration
    /// Renders (and signs) each message.
    public let renderer: MessageRenderer
    private let sessions: [SMTPSession]
    /// Messages in hand per session, to pick the least busy.
    private let load: Mutex<[Int]>

    /// Creates a transport; nothing is connected until the first message.
    public init(
        configuration: SMTPConfiguration, renderer: MessageRenderer = .plain,
        logger: Logger = Logger(label: "resetpress.mail.smtp")
    ) {
        self.configuration = configuration
        self.renderer = renderer
        self.sessions = (0..<configuration.maxConnections).map { _ in SMTPSession(configuration: configuration, logger: logger) }
        self.load = Mutex(Array(repeating: 0, count: configuration.maxConnections))
    }

    /// Sends the rendered message; the receipt's detail is the server's reply to the end of the data.
    public func send(
        _ message: MailMessage, messageID: String, date: Date
    ) async throws(MailDeliveryError) -> MailReceipt {
        let id = try message.sendingID(messageID)
        let data = SMTPDataEncoder.encode(try renderer.render(message, messageID: id, date: date))
        let index = load.withLock { load in
            let index = load.indices.min { load[$0] < load[$1] } ?? 0
            load[index] += 1
            return index
        }
        defer { load.withLock { $0[index] -= 1 } }
        do throws(SMTPFailure) {
            let reply = try await sessions[index].deliver(
                from: message.from.asciiEmail, to: message.to.map(\.asciiEmail), data: data)
            return MailReceipt(messageID: id, detail: reply.description)
        } catch {
            throw error.deliveryError(server: configuration.serverDescription)
        }
    }

    /// Sends the batch over the connections side by side (connection `k` of `n` takes messages `k`, `k + n`, …);
    /// outcomes in the batch's order.
    public func send(batch: [OutgoingMail]) async -> [Result<MailReceipt, MailDeliveryError>] {
        let lanes = min(sessions.count, batch.count)
        return await withTaskGroup(of: [(Int, Result<MailReceipt, MailDeliveryError>)].self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var done: [(Int, Result<MailReceipt, MailDeliveryError>)] = []
                    for index in stride(from: lane, to: batch.count, by: lanes) {
                        done.append((index, await self.outcome(of: batch[index])))
                    }
                    return done
                }
            }
            var outcomes = [Result<MailReceipt, MailDeliveryError>](
                repeating: .failure(MailDeliveryError(permanent: false, message: "not sent")), count: batch.count)
            for await done in group {
                for (index, outcome) in done { outcomes[index] = outcome }
            }
            return outcomes
        }
    }

    private func outcome(of mail: OutgoingMail) async -> Result<MailReceipt, MailDeliveryError> {
        do {
            return .success(try await send(mail.message, messageID: mail.messageID, date: mail.date))
        } catch {
            return .failure(error)
        }
    }

    /// Says `QUIT` on the open connections, if any, after the messages being sent; a later message reconnects.
    public func close() async {
        for session in sessions { await session.close() }
    }

    /// How many connections this transport has opened so far.
    public var connectionsOpened: Int {
        get async {
            var total = 0
            for session in sessions { total += await session.connectionsOpened }
            return total
        }
    }
}
