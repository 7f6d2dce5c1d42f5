import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPressHTTP
import ResetPressStorage
import Testing
@testable import ResetPassword

@Suite struct LinkFlowTests {
    /// Requests a reset and returns the link token from the queued mail.
    func linkToken(_ site: TestSite) async throws -> String {
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in _ = try await client.send(.post, TestSite.namespace + "/user/reset_password", json: ["email": "ann@example.org"]) }
        let text = try #require(try await site.queuedMail().first).message.textBody
        let marker = "https://accounts.example.org/_resetpassword?code="
        let start = try #require(text.range(of: marker)).upperBound
        return String(text[start...].prefix { !$0.isWhitespace })
    }

    @Test func linkTokenChangesThePasswordThroughTheFormEndpoint() async throws {
        let site = try await TestSite()
        let token = try await linkToken(site)
        // The token names its user (id 1), then 43 random characters.
        #expect(token.wholeMatch(of: try Regex(#"1\.[A-Za-z0-9_-]{43}"#)) != nil)
        try await site.test { client in
            let page = try await client.send(.get, "/_resetpassword?code=\(token)")
            #expect(page.status == .ok)
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'none'") == true)
            #expect(String(buffer: page.body).contains("value=\"\(token)\""))

            let changed = try await client.send(.post, "/_resetpassword", json: ["code": token, "new_password": "via-the-link", "confirm_password": "via-the-link"])
            #expect(changed.message == "User Password has been changed.")
            let reused = try await client.send(.post, "/_resetpassword", json: ["code": token, "new_password": "again-and-again", "confirm_password": "again-and-again"])
            #expect(reused.errorCode == 62)
            let expiredPage = try await client.send(.get, "/_resetpassword?code=\(token)")
            #expect(String(buffer: expiredPage.body).contains("This link no longer works"))
        }
        #expect(try await site.passwordMatches("ann@example.org", "via-the-link"))
    }

    @Test func plainFormPostIsAnsweredWithAPage() async throws {
        let site = try await TestSite()
        let token = try await linkToken(site)
        try await site.test { client in
            let mismatch = try await client.send(.post, "/_resetpassword", body: "code=\(token)&new_password=one-password&confirm_password=two-password",
                                                 contentType: "application/x-www-form-urlencoded")
            #expect(mismatch.status == .badRequest)
            #expect(String(buffer: mismatch.body).contains("The two passwords do not match."))
            let done = try await client.send(.post, "/_resetpassword", body: "code=\(token)&new_password=one-password&confirm_password=one-password",
                                             contentType: "application/x-www-form-urlencoded")
            #expect(done.status == .ok)
            #expect(String(buffer: done.body).contains("Your password was changed"))
        }
    }

    @Test func theCodeAndTheLinkAreOneRecord() async throws {
        let site = try await TestSite()
        let token = try await linkToken(site)
        let code = try #require(site.lastCode)
        try await site.test { client in
            let byCode = try await client.send(.put, TestSite.namespace + "/user/reset_password",
                                               json: ["email": "ann@example.org", "code": code, "new_password": "by-the-code"])
            #expect(byCode.status == .ok)
            let response1 = try await client.send(.post, "/_resetpassword", json: ["code": token, "new_password": "by-the-link"])
            #expect(response1.errorCode == 62)
        }
    }

    /// A link mailed before tokens named their user still works: its code is found by the token's hash.
    @Test func aLinkFromBeforeTokensNamedTheirUserStillWorks() async throws {
        let site = try await TestSite()
        let bob = try await site.addUser(email: "bob@example.org")
        let token = CodeGenerator.linkToken()
        let secret = try InstallSecret.load(in: site.dataDirectory, environment: [:])
        _ = try await site.storage.resetCodes.issue(
            NewResetCode(
                userID: try #require(bob.id), email: "bob@example.org", codeHash: secret.hash(CodeGenerator.linkToken()), linkHash: secret.hash(token),
                createdAt: site.clock.now, expiresAt: site.clock.now.addingTimeInterval(900), requestIP: "", tokensByHash: true),
            mail: nil)
        try await site.test { client in
            #expect(String(buffer: try await client.send(.get, "/_resetpassword?code=\(token)").body).contains("value=\"\(token)\""))
            let changed = try await client.send(.post, "/_resetpassword", json: ["code": token, "new_password": "an-old-link-1", "confirm_password": "an-old-link-1"])
            #expect(changed.message == "User Password has been changed.")
        }
        #expect(try await site.passwordMatches("bob@example.org", "an-old-link-1"))
    }

    /// The user a token names only says where to look: with another user's id, or one character
    /// changed, it finds nothing and spends no guess, and the true token still works.
    @Test func aTokenWithAnotherUsersIDOrAChangedCharacterIsRefused() async throws {
        let site = try await TestSite()
        let token = try await linkToken(site)
        try await site.addUser(email: "bob@example.org")
        try await site.test { client in
            _ = try await client.send(.post, TestSite.namespace + "/user/reset_password", json: ["email": "bob@example.org"])
        }
        let random = String(try #require(token.split(separator: ".").last))
        let changed = String(random.dropLast()) + (random.hasSuffix("A") ? "B" : "A")
        try await site.test { client in
            for forged in ["2.\(random)", "1.\(changed)", random, "1.", "x.\(random)"] {
                let page = try await client.send(.get, "/_resetpassword?code=\(forged)")
                #expect(String(buffer: page.body).contains("This link no longer works"), "\(forged)")
                let refused = try await client.send(.post, "/_resetpassword", json: ["code": forged, "new_password": "forged-link-1", "confirm_password": "forged-link-1"])
                #expect(refused.errorCode == 62, "\(forged)")
            }
            let changed = try await client.send(.post, "/_resetpassword", json: ["code": token, "new_password": "the-true-link", "confirm_password": "the-true-link"])
            #expect(changed.message == "User Password has been changed.")
        }
        #expect(try await site.storage.resetCodes.current(userID: 2) != nil)
        #expect(try await site.passwordMatches("ann@example.org", "the-true-link"))
    }
}
