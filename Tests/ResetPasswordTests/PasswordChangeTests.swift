import Foundation
import Hummingbird
import HummingbirdTesting
import ResetPressHTTP
import Testing
@testable import ResetPassword

@Suite struct PasswordChangeTests {
    let path = TestSite.namespace + "/user/reset_password"

    func siteWithCode() async throws -> (TestSite, String) {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only"])
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in _ = try await client.send(.post, path, json: ["email": "ann@example.org"]) }
        return (site, try #require(site.lastCode))
    }

    @Test func rightCodeChangesThePasswordOnceAndQueuesTheNotice() async throws {
        let (site, code) = try await siteWithCode()
        try await site.test { client in
            let response = try await client.send(.put, path, json: ["email": "Ann@Example.org", "code": code, "new_password": "brand-new-secret"])
            #expect(response.status == .ok)
            #expect(response.message == "User Password has been changed.")
            let again = try await client.send(.put, path, json: ["email": "ann@example.org", "code": code, "new_password": "another-secret"])
            #expect(again.errorCode == 62)
        }
        #expect(try await site.passwordMatches("ann@example.org", "brand-new-secret"))
        #expect(try await !site.passwordMatches("ann@example.org", "old-password-1"))
        let notice = try #require(try await site.queuedMail().last)
        #expect(notice.kind == "password_changed")
        #expect(notice.message.subject == "Your password on Example Site was changed")
        #expect(try await site.storage.resetCodes.count() == 0)
    }

    @Test func theSJLDocsJavaScriptExamplePostsTheChange() async throws {
        let (site, code) = try await siteWithCode()
        try await site.test { client in
            let response = try await client.send(.post, TestSite.namespace + "/users/reset_password",
                                                 json: ["email": "ann@example.org", "code": code, "new_password": "from-javascript"])
            #expect(response.message == "User Password has been changed.")
        }
        #expect(try await site.passwordMatches("ann@example.org", "from-javascript"))
    }

    @Test func base64PasswordsAreDecoded() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only", "RESETPRESS_RESET_PASSWORD__PASSWORD_BASE64": "true"])
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in
            _ = try await client.send(.post, path, json: ["email": "ann@example.org"])
            let encoded = Data("décodé-secret".utf8).base64EncodedString()
            let response = try await client.send(.put, path, json: ["email": "ann@example.org", "code": site.lastCode ?? "", "new_password": encoded])
            #expect(response.status == .ok)
        }
        #expect(try await site.passwordMatches("ann@example.org", "décodé-secret"))
    }

    @Test func fiveWrongGuessesBurnTheCode() async throws {
        let (site, code) = try await siteWithCode()
        try await site.test { client in
            for guess in 0..<5 {
                let response = try await client.send(.put, path, json: ["email": "ann@example.org", "code": "wrong-\(guess)", "new_password": "brand-new-secret"])
                #expect(response.errorCode == 62)
            }
            let right = try await client.send(.put, path, json: ["email": "ann@example.org", "code": code, "new_password": "brand-new-secret"])
            #expect(right.errorCode == 62)
        }
        #expect(try await !site.passwordMatches("ann@example.org", "brand-new-secret"))
        #expect(try await site.storage.resetCodes.count() == 0)
    }

    /// Runs the guesses side by side; returns the indexes of those that changed the password.
    private func guessConcurrently(_ site: TestSite, _ guesses: [String]) async -> [Int] {
        await withTaskGroup(of: Int?.self) { group in
            for (index, guess) in guesses.enumerated() {
                group.addTask {
                    do {
                        _ = try await site.plugin.service.changePassword(
                            parameters: ["email": "ann@example.org", "code": guess, "new_password": "brand-new-secret"],
                            clientIP: "10.0.0.\(index)", context: .empty, settings: site.engine.settings.snapshot)
                        return index
                    } catch {
                        return nil
                    }
                }
            }
            var successes: [Int] = []
            for await success in group { if let success { successes.append(success) } }
            return successes
        }
    }

    @Test func fiveConcurrentWrongGuessesBurnTheCodeForALaterRightOne() async throws {
        let (site, code) = try await siteWithCode()
        // A lost update among five racing attempts would leave a slot, and the right guess after them would get through.
        #expect(await guessConcurrently(site, (0..<5).map { "wrong-\($0)" }).isEmpty)
        #expect(await guessConcurrently(site, [code]).isEmpty)
        #expect(try await site.storage.resetCodes.current(email: "ann@example.org") == nil)
        #expect(try await !site.passwordMatches("ann@example.org", "brand-new-secret"))
    }

    @Test func aRightGuessAmongFiveConcurrentOnesGetsItsSlot() async throws {
        let (site, code) = try await siteWithCode()
        // Four wrong and the right one racing: five slots, so the right one is always evaluated, never counted out.
        #expect(await guessConcurrently(site, (0..<4).map { "wrong-\($0)" } + [code]) == [4])
        #expect(try await site.passwordMatches("ann@example.org", "brand-new-secret"))
    }

    @Test func onlyTheNewestCodeIsValid() async throws {
        let (site, first) = try await siteWithCode()
        site.clock.advance(61)
        try await site.test { client in
            _ = try await client.send(.post, path, json: ["email": "ann@example.org"])
            let second = try #require(site.lastCode)
            #expect(first != second)
            let response1 = try await client.send(.put, path, json: ["email": "ann@example.org", "code": first, "new_password": "brand-new-secret"])
            #expect(response1.errorCode == 62)
            let response2 = try await client.send(.put, path, json: ["email": "ann@example.org", "code": second, "new_password": "brand-new-secret"])
            #expect(response2.status == .ok)
        }
    }

    @Test func expiredCodesAreRefused() async throws {
        let (site, code) = try await siteWithCode()
        site.clock.advance(86_401)
        try await site.test { client in
            let response3 = try await client.send(.put, path, json: ["email": "ann@example.org", "code": code, "new_password": "brand-new-secret"])
            #expect(response3.errorCode == 62)
        }
        #expect(try await site.storage.resetCodes.count() == 0)
    }

    @Test func aCodeOfAnotherAccountOrAnUnknownEmailIsRefusedAlike() async throws {
        let (site, code) = try await siteWithCode()
        try await site.addUser(email: "bob@example.org")
        try await site.test { client in
            let other = try await client.send(.put, path, json: ["email": "bob@example.org", "code": code, "new_password": "brand-new-secret"])
            let unknown = try await client.send(.put, path, json: ["email": "nobody@example.org", "code": code, "new_password": "brand-new-secret"])
            #expect(String(buffer: other.body) == String(buffer: unknown.body))
            #expect(other.errorCode == 62)
        }
    }

    @Test func digitCodesHaveTheConfiguredLength() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only"])
        try await site.addUser(email: "ann@example.org")
        try await site.set(["reset_password.code_charset": "digits", "reset_password.code_length": "8"])
        try await site.test { client in _ = try await client.send(.post, path, json: ["email": "ann@example.org"]) }
        let code = try #require(site.lastCode)
        #expect(code.count == 8 && code.allSatisfy(\.isNumber))
        await #expect(throws: (any Error).self) { try await site.set(["reset_password.code_length": "20"]) }
    }
}
