import Crypto
import Foundation
import ResetPressMail

/// Seals and opens outbox bodies: AES-GCM under a key derived with HKDF-SHA256 from the install secret.
///
/// The key lives only in the process (the install secret stays in its 0600 file, outside the
/// database), so a copy of the database shows no code or link of a queued mail. Get one from
/// ``InstallSecret/mailSealer()``.
public struct MailSealer: Sendable {
    /// The HKDF `info` that names this key's purpose and version.
    static let keyInfo = "resetpress outbox seal v1"

    /// Immutable after init; swift-crypto does not mark the type Sendable.
    private nonisolated(unsafe) let key: SymmetricKey

    /// Uses `key` as it is; ``InstallSecret/mailSealer()`` derives it.
    init(key: SymmetricKey) {
        self.key = key
    }

    /// The message in ``SealedMessageFormat``, sealed: nonce, ciphertext and tag (`AES.GCM.SealedBox.combined`).
    public func seal(_ message: MailMessage) throws -> Data {
        let box = try AES.GCM.seal(SealedMessageFormat.encode(message), using: key)
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return combined
    }

    /// The message `seal` sealed (or an earlier build sealed as JSON); throws when `data` was not sealed
    /// under this key or was altered.
    public func open(_ data: Data) throws -> MailMessage {
        try SealedMessageFormat.decode(try AES.GCM.open(try AES.GCM.SealedBox(combined: data), using: key))
    }
}
