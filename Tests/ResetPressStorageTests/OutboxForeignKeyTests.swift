import Foundation
import Logging
import ResetPressDelivery
import ResetPressMail
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// A mail sealed under another install secret (a node started with its own `secret.key`) is never
/// lost: the sender that cannot open it keeps it sealed, with an error that names the fix, and a
/// retry sends it once the key is back (issue 22). Checked against every backend.
@Suite struct OutboxForeignKeyTests {
    static let theirs = InstallSecret(bytes: Data(repeating: 3, count: 32)).mailSealer()
    static let ours = InstallSecret(bytes: Data(repeating: 4, count: 32)).mailSealer()

    @Test(arguments: Backend.allCases)
    func aBodyThatDoesNotOpenIsKeptAndGoesOutOnceItsKeyIsBack(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let outbox = stores.outbox
            let spool = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-foreign-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: spool) }
            func sender(_ sealer: MailSealer, at offset: TimeInterval) -> OutboxSender {
                OutboxSender(
                    outbox: outbox, sealer: sealer, transport: { FileMailTransport(directory: spool) }, logger: Logger(label: "foreign-key"),
                    owner: "node", clock: { testTime(offset) })
            }
            _ = try await outbox.enqueue(try testMail().sealed(with: Self.theirs), now: testTime())

            #expect(try await sender(Self.ours, at: 10).drain().failed == 1)
            let failed = try #require(try await outbox.list(status: .failed, limit: 10).first)
            #expect(failed.lastError?.contains("secret.key") == true && failed.lastError?.contains("resetpress mail retry") == true)
            guard case .sealed(let data) = failed.body else { Issue.record("the sealed body was deleted: \(String(describing: failed.body))"); return }
            #expect(try Self.theirs.open(data) == (try testMail()).body?.plainMessage)

            // The node got the right secret.key back: a retry sends the mail.
            #expect(try await outbox.retry(ids: nil, now: testTime(20)) == 1)
            #expect(try await sender(Self.theirs, at: 30).drain().sent == 1)
            let written = try FileManager.default.contentsOfDirectory(atPath: spool.path).filter { $0.hasSuffix(".eml") }
            #expect(written.count == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func aTransportsPermanentRefusalStillDeletesTheSealedBody(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let id = try await stores.outbox.enqueue(try testMail().sealed(with: Self.theirs), now: testTime())
            _ = try await stores.outbox.claimDue(limit: 10, now: testTime())
            try await stores.outbox.markFailed(id: id, error: "550 no such user", keepingBody: false, events: [])
            #expect(try await stores.outbox.list(status: .failed, limit: 10).first?.body == nil)
        }
    }
}
