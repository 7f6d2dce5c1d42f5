import Foundation
import ResetPressTestSupport
import Testing

/// Webhooks through the real `resetpress serve` and the `webhooks` commands (slow: real processes).
@Suite struct ServeWebhookTests {
    @Test func serveDeliversASignedWebhookThatTheSecretCommandVerifies() async throws {
        let receiver = try await WebhookReceiver.start()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-serve-webhooks-\(UUID().uuidString)")
        let data = root.appendingPathComponent("var")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("settings"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: WebhookTestSite.repositoryRoot.appendingPathComponent("templates"), to: root.appendingPathComponent("templates"))
        try await cleaning({ await receiver.stop(); try? FileManager.default.removeItem(at: root) }) {
            let environment = ["RESETPRESS_USERS__PASSWORD_HASH_COST": "4", "RESETPRESS_WEBHOOKS__RESET_PASSWORD_REQUEST": receiver.url("/in")]
            let site = ["--root", root.path, "--data-dir", data.path]
            let added = try ServerProcess.command(["users", "add", "--login", "ann", "--email", "ann@example.org"] + site, environment: environment)
            #expect(added.status == 0, "\(added.output)")
            let server = try await ServerProcess(root: root, dataDirectory: data, environment: environment)
            defer { server.stop() }

            let answer = try await server.send("POST", "/simple-jwt-login/v1/user/reset_password", json: ["email": "ann@example.org"])
            #expect(answer.status == 200)
            #expect(try await eventually { receiver.received.count == 1 })
            let delivery = try #require(receiver.received.first)
            #expect(delivery.headers["x-resetpress-event"] == "reset_password_request")
            #expect(delivery.body.contains(#""login":"ann""#) && delivery.body.contains(#""client_ip":"127.0.0.1""#))

            let secret = try ServerProcess.command(["webhooks", "secret"] + site, environment: environment)
            #expect(secret.status == 0)
            let key = secret.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(key.hasPrefix("whsec_"))
            #expect(try ReadmeVerifier.verify(secret: key, header: try #require(delivery.headers["x-resetpress-signature"]), body: delivery.body))

            #expect(try await eventually {
                let queue = try ServerProcess.command(["webhooks", "queue"] + site, environment: environment)
                return queue.status == 0 && queue.output.contains("sent 1") && queue.output.contains("reset_password_request")
            })
            let pinned = try ServerProcess.command(
                ["webhooks", "secret"] + site, environment: environment.merging(["RESETPRESS_WEBHOOKS__SECRET": "owner-chosen-secret-1"]) { $1 })
            #expect(pinned.status == 0 && pinned.output.contains("webhooks.secret is set") && !pinned.output.contains("owner-chosen-secret-1"))
            #expect(server.stop() == 0)
        }
    }
}
