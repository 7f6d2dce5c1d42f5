import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPressHTTP
import Testing

/// The admin's mail preview takes a language (issue 14, item 2).
@Suite struct AdminPreviewLocaleTests {
    @Test func thePreviewAPIRendersTheFrenchMailWhenAsked() async throws {
        let site = try await AdminTestSite()
        let bearer = try await site.bearer()
        try await site.test { client in
            let french = try await client.execute(
                uri: "/admin/api/preview", method: .post, headers: bearer,
                body: ByteBuffer(string: #"{"reset_password.mode": "default_email", "locale": "fr-CA"}"#))
            #expect(french.status == .ok)
            #expect(french.json["data"]?["subject"]?.stringValue?.hasPrefix("Réinitialisation de votre mot de passe") == true)
            let plain = try await client.execute(
                uri: "/admin/api/preview", method: .post, headers: bearer,
                body: ByteBuffer(string: #"{"reset_password.mode": "default_email"}"#))
            #expect(plain.json["data"]?["subject"]?.stringValue?.hasPrefix("Reset your password") == true)
        }
    }
}
