import Foundation
import ResetPressEngine
import ResetPressStorage
import ResetPressTestSupport
import ResetPressWebhooks
import Testing

/// Webhooks end to end: the reset routes fire the actions, the plugin queues, the sender posts to
/// a real receiver on a loopback port.
@Suite struct WebhookDeliveryTests {
    @Test func aRequestIsPostedSignedAndTheREADMEsPythonVerifiesIt() async throws {
        let receiver = try await WebhookReceiver.start()
        let site = try await WebhookTestSite(environment: ["RESETPRESS_WEBHOOKS__RESET_PASSWORD_REQUEST": receiver.url()])
        try await cleaning({ await site.stop(); await receiver.stop() }) {
            let user = try await site.addUser(email: "ann@example.org", login: "ann")

            let answer = try await site.send(.post, json: ["email": "ann@example.org"])
            #expect(answer.status == 200)
            #expect(try await eventually {
                let sent = try await site.queue.counts()[.sent]
                return receiver.received.count == 1 && sent == 1
            })

            let delivery = try #require(receiver.received.first)
            let entry = try #require(try await site.queue.list(status: .sent, limit: 1).first)
            #expect(delivery.path == "/hooks")
            #expect(delivery.headers["content-type"] == "application/json")
            #expect(delivery.headers["x-resetpress-event"] == "reset_password_request")
            #expect(delivery.headers["x-resetpress-delivery"] == entry.deliveryID)
            let header = try #require(delivery.headers["x-resetpress-signature"])
            let secret = WebhookSignature.derivedSecret(site.site.secret)
            #expect(WebhookSignature.verify(header: header, body: delivery.body, secret: secret, now: Date()))
            #expect(try ReadmeVerifier.verify(secret: secret, header: header, body: delivery.body))
            #expect(try !ReadmeVerifier.verify(secret: secret, header: header, body: delivery.body + " "))
            #expect(try !ReadmeVerifier.verify(secret: "whsec_someone-else", header: header, body: delivery.body))

            let payload = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body.utf8)) as? [String: Any])
            #expect(Set(payload.keys) == ["event", "time", "user", "client_ip", "site", "reason"])
            #expect(payload["event"] as? String == "reset_password_request")
            #expect(payload["site"] as? String == "https://accounts.example.org")
            #expect(payload["reason"] is NSNull)
            let time = try #require(payload["time"] as? String)
            let parsed = try #require(try? Date(time, strategy: .iso8601))
            #expect(abs(parsed.timeIntervalSinceNow) < 60)
            let sentUser = try #require(payload["user"] as? [String: Any])
            #expect(sentUser["login"] as? String == "ann" && sentUser["email"] as? String == "ann@example.org")
            #expect((sentUser["id"] as? NSNumber)?.int64Value == user.id)
            #expect(Set(sentUser.keys) == ["id", "login", "email"])
        }
    }

    @Test func aConfiguredSecretSignsAndEachURLGetsItsOwnDelivery() async throws {
        let first = try await WebhookReceiver.start()
        let second = try await WebhookReceiver.start()
        let site = try await WebhookTestSite(environment: ["RESETPRESS_WEBHOOKS__SECRET": "a-shared-secret-of-the-owner"])
        try await cleaning({ await site.stop(); await first.stop(); await second.stop() }) {
            try await site.set(["webhooks.reset_password_failed": "\(first.url()), \(second.url("/other"))"])

            _ = try await site.send(.post, json: ["email": "nobody@example.org"])  // unknown: fails as unknown_email
            #expect(try await eventually { first.received.count == 1 && second.received.count == 1 })
            let deliveries = first.received + second.received
            #expect(deliveries.map(\.path) == ["/hooks", "/other"])
            #expect(Set(deliveries.compactMap { $0.headers["x-resetpress-delivery"] }).count == 2)
            #expect(deliveries[0].body == deliveries[1].body)
            for delivery in deliveries {
                let header = try #require(delivery.headers["x-resetpress-signature"])
                #expect(try ReadmeVerifier.verify(secret: "a-shared-secret-of-the-owner", header: header, body: delivery.body))
                let payload = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body.utf8)) as? [String: Any])
                #expect(payload["event"] as? String == "reset_password_failed")
                #expect(payload["reason"] as? String == "unknown_email")
                #expect(payload["user"] is NSNull)
            }
        }
    }

    @Test func aReceiverDownThenUpGetsTheDeliveryExactlyOnce() async throws {
        let closed = try ClosedPort()
        let port = closed.port
        let site = try await WebhookTestSite(environment: ["RESETPRESS_WEBHOOKS__PASSWORD_RESET": "http://127.0.0.1:\(port)/hooks"])
        try await cleaning({ await site.stop() }) {
            // A refused connection fails the try at the call's deadline (the HTTP client retries the
            // connection until then): a short one while the receiver is down.
            try await site.set(["webhooks.timeout_ms": "300"])
            try await site.addUser(email: "ann@example.org", login: "ann")
            _ = try await site.send(.post, json: ["email": "ann@example.org"])
            let code = try #require(site.codes.withLock { $0.last })
            let changed = try await site.send(.put, json: ["email": "ann@example.org", "code": code, "new_password": "Brand-new-secret-9"])
            #expect(changed.status == 200, "\(changed.body)")

            // Down: refused connections, retried every 0.2 s; wait until a second try has failed.
            #expect(try await eventually {
                let entry = try await site.queue.list(status: nil, limit: 1).first
                return (entry?.attempts ?? 0) >= 2 && entry?.lastError != nil && entry?.status == .queued
            })
            let pending = try #require(try await site.queue.list(status: nil, limit: 1).first)
            #expect(pending.event == "password_reset")

            // Up: the next try gets through, and nothing is sent again. The timeout goes back to 5 s
            // first, and the tries made with the short one end, so that none reaches the receiver and
            // then times out on a loaded machine (that delivery would be repeated, as at-least-once allows).
            try await site.set(["webhooks.timeout_ms": "5000"])
            try await Task.sleep(for: .seconds(1.5))
            closed.release()
            let receiver = try await WebhookReceiver.start(port: port)
            try await cleaning({ await receiver.stop() }) {
                #expect(try await eventually { try await site.queue.counts()[.sent] == 1 })
                try await Task.sleep(for: .seconds(1))  // ten sender ticks
                #expect(receiver.received.count == 1)
                #expect(receiver.received.first?.headers["x-resetpress-delivery"] == pending.deliveryID)
                #expect(try await site.queue.counts() == [.queued: 0, .sending: 0, .sent: 1, .failed: 0])
                let sent = try #require(try await site.queue.list(status: .sent, limit: 1).first)
                #expect(sent.body == nil && sent.attempts >= 3 && sent.lastError != nil)
            }
        }
    }

    @Test func aDeliveryQueuedBeforeARestartIsSentAfterIt() async throws {
        let closed = try ClosedPort()
        let port = closed.port
        let environment = ["RESETPRESS_WEBHOOKS__RESET_PASSWORD_FAILED": "http://127.0.0.1:\(port)/hooks"]
        // Short tries while nothing listens; the reopened site has the default 5 s.
        let first = try await WebhookTestSite(environment: environment.merging(["RESETPRESS_WEBHOOKS__TIMEOUT_MS": "300"]) { $1 })
        let queued = try await cleaning({ await first.stop(keepingFolder: true) }) { () async throws -> WebhookEntry in
            _ = try await first.send(.post, json: ["email": "nobody@example.org"])
            #expect(try await eventually { (try await first.queue.list(status: .queued, limit: 1).first?.lastError) != nil })
            return try #require(try await first.queue.list(status: nil, limit: 1).first)
        }
        closed.release()
        let receiver = try await WebhookReceiver.start(port: port)
        let second = try await WebhookTestSite(environment: environment, reopening: first.root)
        try await cleaning({ await second.stop(); await receiver.stop() }) {
            #expect(try await eventually { try await second.queue.counts()[.sent] == 1 })
            #expect(receiver.received.map { $0.headers["x-resetpress-delivery"] } == [queued.deliveryID])
            let signature = try #require(receiver.received.first?.headers["x-resetpress-signature"])
            let secret = WebhookSignature.derivedSecret(second.site.secret)
            #expect(try ReadmeVerifier.verify(secret: secret, header: signature, body: try #require(receiver.received.first?.body)))
        }
    }

    @Test func aReceiverThatAnswersAnErrorIsRetriedUntilTheTriesRunOut() async throws {
        let receiver = try await WebhookReceiver.start(status: .internalServerError)
        let site = try await WebhookTestSite(environment: ["RESETPRESS_WEBHOOKS__RESET_PASSWORD_FAILED": receiver.url()])
        try await cleaning({ await site.stop(); await receiver.stop() }) {
            _ = try await site.send(.post, json: ["email": "nobody@example.org"])
            #expect(try await eventually(within: 20) { try await site.queue.counts()[.failed] == 1 })
            let failed = try #require(try await site.queue.list(status: .failed, limit: 1).first)
            #expect(failed.attempts == 10 && failed.lastError == "HTTP 500 Internal Server Error" && failed.body != nil)
            #expect(receiver.received.count == 10)
            #expect(Set(receiver.received.compactMap { $0.headers["x-resetpress-delivery"] }) == [failed.deliveryID])
            #expect(Set(receiver.received.map(\.body)).count == 1)
        }
    }

    @Test func aReceiverSlowerThanTheTimeoutCountsAsAFailedTry() async throws {
        let receiver = try await WebhookReceiver.start(delay: .seconds(3))
        let site = try await WebhookTestSite(environment: [
            "RESETPRESS_WEBHOOKS__RESET_PASSWORD_FAILED": receiver.url(), "RESETPRESS_WEBHOOKS__TIMEOUT_MS": "300",
        ])
        try await cleaning({ await site.stop(); await receiver.stop() }) {
            _ = try await site.send(.post, json: ["email": "nobody@example.org"])
            #expect(try await eventually {
                let entry = try await site.queue.list(status: nil, limit: 1).first
                return (entry?.attempts ?? 0) >= 2 && entry?.status == .queued
            })
            let entry = try #require(try await site.queue.list(status: nil, limit: 1).first)
            #expect(entry.lastError == "no answer within 0.3 seconds")
            #expect(try await site.queue.counts()[.sent] == 0)
        }
    }

    @Test func noCodePasswordTokenOrAuthCodeReachesAReceiver() async throws {
        let receiver = try await WebhookReceiver.start()
        let everyEvent = WebhookEvent.allCases.map { "RESETPRESS_WEBHOOKS__\($0.rawValue.uppercased())" }
        let site = try await WebhookTestSite(environment: Dictionary(uniqueKeysWithValues: everyEvent.map { ($0, receiver.url()) }))
        try await cleaning({ await site.stop(); await receiver.stop() }) {
            try await site.addUser(email: "ann@example.org", login: "ann", password: "Old-password-77")
            let authCode = "auth-code-XYZ-0123456789"
            _ = try await site.site.reset.gate.add(code: authCode, role: "", expiresAt: nil, by: .cli)
            try await site.set(["reset_password.requires_auth_code": "true", "reset_password.throttle_seconds": "0"])

            let requested = try await site.send(.post, json: ["email": "ann@example.org", "AUTH_KEY": authCode, "note": "visible-note-42"])
            #expect(requested.status == 200, "\(requested.body)")
            let code = try #require(site.codes.withLock { $0.last })
            let linkToken = try #require(site.lastLinkToken)
            let wrong = try await site.send(
                .put, json: ["email": "ann@example.org", "code": "wrong-\(code)", "new_password": "Wrong-attempt-pass-1", "AUTH_KEY": authCode])
            #expect(wrong.status == 400)
            let newPassword = "Fresh-secret-pass-55"
            let changed = try await site.send(
                .put, json: ["email": "ann@example.org", "code": code, "new_password": newPassword, "AUTH_KEY": authCode, "note": "visible-note-42"])
            #expect(changed.status == 200, "\(changed.body)")
            // A second reset, answered "that wasn't me" through the cancel page.
            let again = try await site.send(.post, json: ["email": "ann@example.org", "AUTH_KEY": authCode])
            #expect(again.status == 200, "\(again.body)")
            let secondCode = try #require(site.codes.withLock { $0.last })
            let cancelToken = try #require(site.lastCancelToken)
            let cancelled = try await site.send(.post, "/_resetpassword/cancel", json: ["code": cancelToken, "note": "visible-note-42"])
            #expect(cancelled.status == 200, "\(cancelled.body)")

            #expect(try await eventually { Set(receiver.received.compactMap { $0.headers["x-resetpress-event"] }).count == 4 })
            let events = receiver.received.compactMap { $0.headers["x-resetpress-event"] }
            #expect(Set(events) == Set(WebhookEvent.allCases.map(\.rawValue)))
            let secrets = [
                code, linkToken, secondCode, cancelToken, authCode, newPassword, "Old-password-77", "Wrong-attempt-pass-1", "visible-note-42",
            ]
            for delivery in receiver.received {
                let everything = ([delivery.body, delivery.path] + delivery.headers.map { "\($0.key): \($0.value)" }).joined(separator: "\n")
                for secret in secrets {
                    #expect(!everything.contains(secret), "\(secret) reached the receiver in \(delivery.headers["x-resetpress-event"] ?? "?")")
                }
            }
            let cancel = try #require(receiver.received.first { $0.headers["x-resetpress-event"] == "reset_password_cancelled" })
            #expect(cancel.body.contains(#""login":"ann""#) && cancel.body.contains(#""email":"ann@example.org""#))
        }
    }

    @Test func anEventWithNoURLQueuesNothing() async throws {
        let site = try await WebhookTestSite()
        try await cleaning({ await site.stop() }) {
            try await site.addUser(email: "ann@example.org", login: "ann")
            _ = try await site.send(.post, json: ["email": "ann@example.org"])
            _ = try await site.send(.post, json: ["email": "nobody@example.org"])
            #expect(try await site.queue.list(status: nil, limit: 10).isEmpty)
        }
    }

    @Test func thePluginSwitchedOffQueuesNothingAndRunsNoSender() async throws {
        let receiver = try await WebhookReceiver.start()
        let site = try await WebhookTestSite(environment: [
            "RESETPRESS_PLUGINS__WEBHOOKS__ACTIVE": "false", "RESETPRESS_WEBHOOKS__RESET_PASSWORD_FAILED": receiver.url(),
        ])
        try await cleaning({ await site.stop(); await receiver.stop() }) {
            #expect(site.site.webhooks.service == nil)
            #expect(!site.engine.hooks.hasHooks("reset_password_failed"))
            _ = try await site.send(.post, json: ["email": "nobody@example.org"])
            #expect(try await site.queue.list(status: nil, limit: 10).isEmpty)
        }
    }
}
