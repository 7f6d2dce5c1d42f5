import Crypto
import Foundation
import ResetPressMail

/// Seals and opens outbox bodies: AES-GCM under keys derived with HKDF-SHA256 from the install secret's keys.
///
/// The key lives only in the process (the install secret stays in its 0600 file, outside the
/// database), so a copy of the database shows no code or link of a queued mail. Get one from
/// ``InstallSecret/mailSealer()``.
public struct MailSealer: Sendable {
    /// The HKDF `info` that names this key's purpose and version.
    static let keyInfo = "resetpress outbox seal v1"

    /// The keys, the sealing one first; immutable after init (swift-crypto does not mark the type Sendable).
    private nonisolated(unsafe) let keys: [SymmetricKey]

    /// Seals under the first of `keys` and opens under any; ``InstallSecret/mailSealer()`` derives them.
    init(keys: [SymmetricKey]) {
        self.keys = keys
    }

    /// The message in ``SealedMessageFormat``, sealed: nonce, ciphertext and tag (`AES.GCM.SealedBox.combined`).
    public func seal(_ message: MailMessage) throws -> Data {
        let box = try AES.GCM.seal(SealedMessageFormat.encode(message), using: keys[0])
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return combined
    }

    /// The message `seal` sealed (or an earlier build sealed as JSON) under any of the keys; throws
    /// when `data` was sealed under none of them or was altered.
    public func open(_ data: Data) throws -> MailMessage {
        let box = try AES.GCM.SealedBox(combined: data)
        var failure: any Error = CryptoKitError.authenticationFailure
        for key in keys {
            do {
                return try SealedMessageFormat.decode(try AES.GCM.open(box, using: key))
            } catch {
                failure = error
            }
        }
        throw failure
    }
}
