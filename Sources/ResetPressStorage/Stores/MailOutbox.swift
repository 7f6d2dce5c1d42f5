import Foundation
import ResetPressMail

/// The durable outbox the mail sender drains: a ``LeasedQueue`` of ``OutboxMail``.
///
/// Bodies do not outlive their use: a sent entry loses its body, and so does a sealed one (a code
/// or link) that failed for good, unless the sender keeps it because it could not open it; a plain
/// one (no secret in it) is kept for a retry.
public protocol MailOutbox: LeasedQueue where Payload == OutboxMail {
    /// Seals, with `seal`, the plain bodies of queued and sending entries of the given kinds (mail
    /// queued before bodies were sealed); returns how many. Sealed bodies are left alone.
    func sealPlainBodies(kinds: [String], seal: @Sendable (MailMessage) throws -> Data) async throws -> Int

    /// When the oldest entry that still holds a sealed body was created (not sent yet, or failed and
    /// kept for a retry); nil when none does. `secret retire` waits for it to pass the rotation: such
    /// a body may be sealed under the key it retires.
    func oldestSealed() async throws -> Date?

    /// The newest `limit` entries queued for user `userID` (``OutboxMail/userID``), newest first
    /// (by id), in any status: the user's mail for the support desk. Mail for no user (a test
    /// message) is never among them.
    func entries(userID: Int64, limit: Int) async throws -> [OutboxEntry]
}
