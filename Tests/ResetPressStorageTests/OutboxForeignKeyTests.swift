import Foundation
import Logging
import ResetPressDelivery
import ResetPressMail
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// A mail sealed under a key this node lacks (a node with its own `secret.key`, or one not restarted
/// yet after a rotation) is never lost: the sender puts it back sealed for another try, on any node;
/// after the last try it keeps it sealed, with an error that names the fix, and a retry sends it
/// once the key is back (issue 22). Checked against every backend.
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

            // A node without the key (one not restarted yet after a rotation) puts it back, sealed, for a later try.
            #expect(try await sender(Self.ours, at: 10).drain().retried == 1)
            let waiting = try #require(try await outbox.list(status: .queued, limit: 10).first)
            #expect(waiting.lastError?.contains("secret.key") == true)
            guard case .sealed = waiting.body else { Issue.record("the sealed body was deleted: \(String(describing: waiting.body))"); return }

            // Every later try by a node without the key: on the last one it is failed, still sealed.
            var offset: TimeInterval = 10
            for _ in 0..<20 where try await outbox.list(status: .failed, limit: 1).isEmpty {
                offset += 100_000
                _ = try await sender(Self.ours, at: offset).drain()
            }
            let failed = try #require(try await outbox.list(status: .failed, limit: 10).first)
            #expect(failed.attempts == 8)
            #expect(failed.lastError?.contains("secret.key") == true && failed.lastError?.contains("resetpress mail retry") == true)
            guard case .sealed(let data) = failed.body else { Issue.record("the sealed body was deleted: \(String(describing: failed.body))"); return }
            #expect(try Self.theirs.open(data) == (try testMail()).body?.plainMessage)

            // The node got the right secret.key back: a retry sends the mail.
            #expect(try await outbox.retry(ids: nil, now: testTime(offset + 10)) == 1)
            #expect(try await sender(Self.theirs, at: offset + 20).drain().sent == 1)
            let written = try FileManager.default.contentsOfDirectory(atPath: spool.path).filter { $0.hasSuffix(".eml") }
            #expect(written.count == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func aNodeWithTheKeySendsWhatANodeWithoutItPutBack(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let spool = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-foreign-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: spool) }
            func sender(_ sealer: MailSealer, at offset: TimeInterval) -> OutboxSender {
                OutboxSender(
                    outbox: stores.outbox, sealer: sealer, transport: { FileMailTransport(directory: spool) }, logger: Logger(label: "foreign-key"),
                    owner: "node", clock: { testTime(offset) })
            }
            _ = try await stores.outbox.enqueue(try testMail().sealed(with: Self.theirs), now: testTime())
            #expect(try await sender(Self.ours, at: 1).drain().retried == 1)
            #expect(try await sender(Self.theirs, at: 2).drain().sent == 0, "not due again yet")
            #expect(try await sender(Self.theirs, at: 60).drain().sent == 1)
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
