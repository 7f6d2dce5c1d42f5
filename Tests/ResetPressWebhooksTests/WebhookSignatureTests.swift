import Foundation
import ResetPressEngine
import ResetPressStorage
@testable import ResetPressWebhooks
import Testing

/// The signature header, the payload's shape and the settings' checks, without a network.
@Suite struct WebhookSignatureTests {
    static let body = #"{"client_ip":"192.0.2.1","event":"password_reset","reason":null,"site":"https://a.example","time":"2030-01-01T00:00:00Z","user":null}"#

    @Test func theHeaderIsTheTimeAndTheHMACOfTimeDotBody() throws {
        let time = Date(timeIntervalSince1970: 1_900_000_000.75)
        let header = WebhookSignature.header(body: Self.body, secret: "s3cret-of-sixteen", time: time)
        // Pinned from outside this module: python3 -c 'import hmac,hashlib;
        // print(hmac.new(b"s3cret-of-sixteen",b"1900000000."+BODY,hashlib.sha256).hexdigest())'
        #expect(header == "t=1900000000,v1=900714bec23258d02d1232f35bf61d2e3a1ea0c8b1268564bdfbf71bf88b5d69")
        #expect(WebhookSignature.verify(header: header, body: Self.body, secret: "s3cret-of-sixteen", now: time))
        #expect(try ReadmeVerifier.snippet().split(separator: "\n").count <= 5)
    }

    @Test func verifyRefusesAnAlteredBodyAWrongSecretAndAnOldTime() {
        let time = Date(timeIntervalSince1970: 1_900_000_000)
        let header = WebhookSignature.header(body: Self.body, secret: "s3cret-of-sixteen", time: time)
        #expect(!WebhookSignature.verify(header: header, body: Self.body + " ", secret: "s3cret-of-sixteen", now: time))
        #expect(!WebhookSignature.verify(header: header, body: Self.body, secret: "another-secret-16", now: time))
        #expect(!WebhookSignature.verify(header: header, body: Self.body, secret: "s3cret-of-sixteen", now: time.addingTimeInterval(301)))
        #expect(WebhookSignature.verify(header: header, body: Self.body, secret: "s3cret-of-sixteen", now: time.addingTimeInterval(299)))
        #expect(!WebhookSignature.verify(header: "v1=00", body: Self.body, secret: "s3cret-of-sixteen", now: time))
    }

    @Test func afterARotationDeliveriesCarryASignatureUnderTheNewAndTheOldKey() async throws {
        let settings = SettingsEngine(store: MemorySettingsStore(), environment: [:], settingsDirectory: nil, hooks: HookRegistry())
        WebhookSettings.register(in: settings)
        try await settings.load()
        let old = InstallSecret(bytes: Data(repeating: 1, count: 32))
        let rotated = try #require(old.staging(Data(repeating: 2, count: 32)).promoted())
        let secrets = WebhookSignature.secrets(settings: settings.snapshot, installSecret: rotated)
        #expect(secrets == [WebhookSignature.derivedSecret(rotated), WebhookSignature.derivedSecret(old)])
        let time = Date(timeIntervalSince1970: 1_900_000_000)
        let header = WebhookSignature.header(body: Self.body, secrets: secrets, time: time)
        #expect(header.components(separatedBy: ",v1=").count == 3)
        #expect(WebhookSignature.verify(header: header, body: Self.body, secret: WebhookSignature.derivedSecret(old), now: time), "a receiver not moved yet")
        #expect(WebhookSignature.verify(header: header, body: Self.body, secret: WebhookSignature.derivedSecret(rotated), now: time))
        #expect(WebhookSignature.secrets(settings: settings.snapshot, installSecret: old).count == 1)
        // The README's five lines accept either key.
        let fresh = WebhookSignature.header(body: Self.body, secrets: secrets, time: Date())
        #expect(try ReadmeVerifier.verify(secret: WebhookSignature.derivedSecret(rotated), header: fresh, body: Self.body))
        #expect(try ReadmeVerifier.verify(secret: WebhookSignature.derivedSecret(old), header: fresh, body: Self.body))
        #expect(try !ReadmeVerifier.verify(secret: "whsec_someone-else", header: fresh, body: Self.body))
    }

    @Test func theDerivedSecretIsStablePerInstallAndDiffersBetweenInstalls() {
        let one = InstallSecret(bytes: Data(repeating: 1, count: 32))
        let derived = WebhookSignature.derivedSecret(one)
        #expect(derived.hasPrefix("whsec_") && derived.count == 6 + 64)
        #expect(derived == WebhookSignature.derivedSecret(InstallSecret(bytes: Data(repeating: 1, count: 32))))
        #expect(derived != WebhookSignature.derivedSecret(InstallSecret(bytes: Data(repeating: 2, count: 32))))
        // Not the install secret, nor a key it serves elsewhere.
        #expect(!derived.contains(String(repeating: "01", count: 8)))
    }

    @Test func thePayloadCarriesTheUserAndRequestButNoParameter() throws {
        let context = HookContext(
            method: "PUT", path: "/simple-jwt-login/v1/user/reset_password", clientIP: "2001:db8::1",
            parameters: ["email": "ann@example.org", "plan": "pro", "code": "ABC123"],
            user: HookContext.User(id: 7, login: "ann", email: "ann@example.org", displayName: "Ann", firstName: "Ann", lastName: "Lee"),
            site: "https://ignored.example", mode: "default_email")
        let json = try WebhookPayload(
            event: .passwordReset, context: context, time: Date(timeIntervalSince1970: 1_900_000_000), siteURL: "https://accounts.example.org"
        ).json()
        #expect(json == #"{"client_ip":"2001:db8::1","event":"password_reset","reason":null,"site":"https://accounts.example.org","time":"2030-03-17T17:46:40Z","user":{"email":"ann@example.org","id":7,"login":"ann"}}"#)
        let failed = try WebhookPayload(event: .resetPasswordFailed, context: .empty, time: Date(timeIntervalSince1970: 0), siteURL: "http://x.example", reason: "throttled").json()
        #expect(failed == #"{"client_ip":null,"event":"reset_password_failed","reason":"throttled","site":"http://x.example","time":"1970-01-01T00:00:00Z","user":null}"#)
    }

    @Test(arguments: [
        ("https://hooks.example.org/in?k=1", true), ("http://127.0.0.1:8080/hook", true), ("HTTPS://Example.org", true),
        ("ftp://example.org/in", false), ("hooks.example.org/in", false), ("https:///path", false), ("https://a.example/#x", false),
        ("https://a.example/ in", false), ("", false),
    ])
    func urlsMustBeHTTPWithAHost(_ url: String, _ accepted: Bool) {
        #expect(WebhookSettings.isWebhookURL(url) == accepted)
        let problem = WebhookSettings.requestURLs.definition.validate(.list([url]))
        #expect(((try? problem.get()) != nil) == accepted)
    }

    @Test func aShortSecretAndAnOutOfRangeTimeoutAreRefused() {
        #expect((try? WebhookSettings.secret.definition.validate(.string("short")).get()) == nil)
        #expect((try? WebhookSettings.secret.definition.validate(.string("")).get()) != nil)
        #expect((try? WebhookSettings.timeoutMilliseconds.definition.validate(.int(50)).get()) == nil)
        #expect((try? WebhookSettings.timeoutMilliseconds.definition.validate(.int(5000)).get()) != nil)
    }
}
