import Foundation
import Logging
import ResetPressEngine
import ResetPressStorage

extension ResetPasswordPlugin {
    /// The outbox kinds whose bodies carry a code or link, and so are sealed: `ResetMailComposer.resetMail`'s.
    static let sealedMailKinds = ["reset_code"]

    /// Seals the reset mail queued in clear before bodies were sealed (at activation, once the
    /// migrations have split the outbox's metadata from its bodies).
    func sealQueuedResetMail(logger: Logger) async throws {
        let sealer = secret.mailSealer()
        let sealed = try await outbox.sealPlainBodies(kinds: Self.sealedMailKinds) { try sealer.seal($0) }
        if sealed > 0 { logger.notice("queued reset mail sealed", metadata: ["count": "\(sealed)"]) }
    }
}
