import Foundation
import Logging
import ResetPressMail
import ResetPressStorage

/// Delivers claimed outbox entries: opens each sealed body with the install's sealer, then hands the
/// batch to the transport at once (``MailTransport/send(batch:)``: one sync for many files, one
/// connection for many messages).
///
/// An entry whose body is missing or does not open fails for good with the reason; one that does
/// not open keeps its sealed body, so that `resetpress mail retry` sends it once the key that
/// sealed it is back. A transport's answer is passed on as it is: a receipt's detail as the
/// delivery's, a failure's message as its reason, permanent or not.
public struct MailDeliverer: QueueDeliverer {
    private let sealer: MailSealer
    private let transport: @Sendable () -> any MailTransport

    /// `sealer` opens sealed bodies (``InstallSecret/mailSealer()`` of the install that sealed them);
    /// `transport` is asked for each batch, so a settings change applies at once.
    public init(sealer: MailSealer, transport: @escaping @Sendable () -> any MailTransport) {
        self.sealer = sealer
        self.transport = transport
    }

    public func deliver(_ batch: [OutboxEntry]) async -> [DeliveryOutcome] {
        var outcomes = [DeliveryOutcome](repeating: .failed("the transport gave no answer", permanent: false), count: batch.count)
        var opened: [(index: Int, mail: OutgoingMail)] = []
        for (index, entry) in batch.enumerated() {
            switch open(entry) {
            case .message(let message):
                opened.append((index, OutgoingMail(message: message, messageID: entry.payload.messageID, date: entry.createdAt)))
            case .refused(let outcome):
                outcomes[index] = outcome
            }
        }
        let answers = await transport().send(batch: opened.map(\.mail))
        for ((index, _), answer) in zip(opened, answers) {
            switch answer {
            case .success(let receipt): outcomes[index] = .delivered(detail: receipt.detail)
            case .failure(let error): outcomes[index] = .failed(error.message, permanent: error.permanent)
            }
        }
        return outcomes
    }

    /// A claimed entry's message, or why it cannot be sent.
    private enum Opened {
        case message(MailMessage)
        case refused(DeliveryOutcome)
    }

    /// The message of a claimed entry: its plain body, or its sealed body opened.
    private func open(_ entry: OutboxEntry) -> Opened {
        switch entry.payload.body {
        case .plain(let message):
            return .message(message)
        case .sealed(let data):
            guard let message = try? sealer.open(data) else {
                // Tried again, on any node: during a rolling restart another node may hold the key.
                return .refused(.failed(
                    "The sealed body does not open with this node's install keys: it was sealed under a secret.key this node does not have. "
                        + "It is tried again; after the last try the sealed body is kept: copy the key that sealed it to every node "
                        + "(secret.key, or secret.key.previous after a rotation), then run `resetpress mail retry`.",
                    permanent: false, keepingBody: true))
            }
            return .message(message)
        case nil:
            return .refused(.failed("The body was deleted (it was sent or failed before); request a new reset.", permanent: true))
        }
    }
}

/// The mail outbox's sender.
public typealias OutboxSender = QueueSender<OutboxMail>

extension QueueSender where Payload == OutboxMail {
    /// A sender of `outbox` through a ``MailDeliverer`` of `sealer` and `transport`, recording each
    /// mail sent (with its time from queuing to delivery) and failed for good in `events`, in the
    /// outbox write. Tries 8 times, 5 s apart doubling, in batches of 128, two batches at a time.
    public convenience init(
        outbox: any MailOutbox, sealer: MailSealer, transport: @escaping @Sendable () -> any MailTransport, logger: Logger, owner: String,
        lease: Duration = .seconds(60), maxAttempts: Int = 8, batchSize: Int = 128, workers: Int = 2, clock: @escaping @Sendable () -> Date = { Date() },
        events: EventRecorder? = nil, backlog: OutboxBacklog? = nil
    ) {
        self.init(
            queue: outbox.erased, deliverer: MailDeliverer(sealer: sealer, transport: transport), noun: "mail", logger: logger, owner: owner,
            lease: lease, maxAttempts: maxAttempts, batchSize: batchSize, workers: workers,
            backoff: { QueueSender.backoff(base: 5, afterAttempt: $0) }, clock: clock, events: events, backlog: backlog)
    }
}
