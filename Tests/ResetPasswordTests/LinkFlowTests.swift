import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPressHTTP
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
        #expect(token.count == 43)
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
}
