import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPressHTTP
import Testing
@testable import ResetPassword

@Suite struct ResetRequestTests {
    let path = TestSite.namespace + "/user/reset_password"

    @Test func storeOnlySavesTheCodeFiresTheHookAndQueuesNoMail() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only"])
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in
            let response = try await client.send(.post, path, json: ["email": "ann@example.org"])
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) ==
                #"{"success":true,"message":"The Code has been saved into the database.","data":{"message":"The Code has been saved into the database."}}"#)
        }
        let code = try #require(site.lastCode)
        #expect(code.count == 20)
        #expect(code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(try await site.queuedMail().isEmpty)
        #expect(try await site.storage.resetCodes.count() == 1)
        // No mail carries a link or cancel token: the code keeps random hashes in their place.
        let stored = try #require(try await site.storage.resetCodes.current(email: "ann@example.org")).issued
        #expect(stored.linkHash.count == 32 && stored.cancelHash?.count == 32 && stored.linkHash != stored.cancelHash)
    }

    @Test func defaultEmailQueuesTextAndHTMLWithTheCodeAndLink() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in
            let response = try await client.send(.post, path, json: ["email": "ANN@example.org"], headers: [HTTPField.Name("Host")!: "evil.example"])
            #expect(response.message == "Reset password email has been sent.")
            #expect(response.json["message"]?.stringValue == "Reset password email has been sent.")
        }
        let code = try #require(site.lastCode)
        let mail = try #require(try await site.queuedMail().first)
        #expect(mail.kind == "reset_code")
        #expect(mail.message.to.map(\.email) == ["ann@example.org"])
        #expect(mail.message.from.email == "support@example.org")
        #expect(mail.message.from.name == "Example Site")
        #expect(mail.message.subject == "Reset your password for Example Site")
        #expect(mail.message.textBody.contains("Your reset code is: \(code)"))
        #expect(mail.message.textBody.contains("https://accounts.example.org/_resetpassword?code="))
        #expect(!mail.message.textBody.contains("evil.example"))
        let html = try #require(mail.message.htmlBody)
        #expect(html.contains(code))
        #expect(html.contains("href=\"https://accounts.example.org/_resetpassword?code="))
    }

    @Test func customTextAndHTMLModesUseTheOwnersSubjectAndBody() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org", firstName: "<b>Ann</b>")
        try await site.set([
            "reset_password.mode": "custom_email", "reset_password.email_subject": "Code for {{FIRST_NAME}}",
            "reset_password.email_body": "Hi {{FIST_NAME}}, code {{CODE}}",
        ])
        try await site.test { client in _ = try await client.send(.post, path, json: ["email": "ann@example.org"]) }
        var mail = try #require(try await site.queuedMail().last)
        #expect(mail.message.subject == "Code for <b>Ann</b>")
        #expect(mail.message.textBody == "Hi <b>Ann</b>, code \(site.lastCode ?? "?")")
        #expect(mail.message.htmlBody == nil)

        try await site.set(["reset_password.email_type": "html"])
        site.clock.advance(61)
        try await site.test { client in _ = try await client.send(.post, path, json: ["email": "ann@example.org"]) }
        mail = try #require(try await site.queuedMail().last)
        #expect(mail.message.htmlBody == "Hi &lt;b&gt;Ann&lt;/b&gt;, code \(site.lastCode ?? "?")")
    }

    @Test func everyVariableIsFilledInOnePass() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org", login: "annlee", firstName: "{{CODE}}", lastName: "Lee", nickname: "<<SITE>>")
        let body = "C={{CODE}}|L={{ RESET_LINK }}|N=<<NAME>>|U={{USERNAME}}|E={{EMAIL}}|K={{NICKNAME}}|F={{FIRST_NAME}}|F2={{fist_name}}|"
            + "LN={{LAST_NAME}}|S={{SITE}}|SN={{SITE_NAME}}|IP={{IP}}|X={{EXPIRES_AT}}|Q={{UNKNOWN}}|R={* code *}"
        try await site.set(["reset_password.mode": "custom_email", "reset_password.email_body": body])
        try await site.test { client in _ = try await client.send(.post, path, json: ["email": "ann@example.org"]) }
        let code = try #require(site.lastCode)
        let text = try #require(try await site.queuedMail().last).message.textBody
        let fields = Dictionary(uniqueKeysWithValues: text.split(separator: "|").map { part -> (String, String) in
            let pieces = part.split(separator: "=", maxSplits: 1)
            return (String(pieces[0]), pieces.count > 1 ? String(pieces[1]) : "")
        })
        #expect(fields["C"] == code)
        #expect(fields["L"]?.hasPrefix("https://accounts.example.org/_resetpassword?code=") == true)
        #expect(fields["N"] == "{{CODE}} Lee")
        #expect(fields["U"] == "annlee")
        #expect(fields["E"] == "ann@example.org")
        #expect(fields["K"] == "<<SITE>>")
        #expect(fields["F"] == "{{CODE}}")
        #expect(fields["F2"] == "{{CODE}}")
        #expect(fields["LN"] == "Lee")
        #expect(fields["S"] == "https://accounts.example.org")
        #expect(fields["SN"] == "Example Site")
        #expect(fields["IP"] == "127.0.0.1")
        #expect(fields["X"] == "2027-01-16 08:00:00 UTC")
        #expect(fields["Q"] == "{{UNKNOWN}}")
        #expect(fields["R"] == code)
    }

    @Test func unknownEmailGetsTheSameAnswerAndNothingIsIssued() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in
            let known = try await client.send(.post, path, json: ["email": "ann@example.org"])
            let unknown = try await client.send(.post, path, json: ["email": "nobody@example.org"])
            #expect(known.status == unknown.status)
            #expect(String(buffer: known.body) == String(buffer: unknown.body))
            #expect(known.headers[.contentType] == unknown.headers[.contentType])
        }
        #expect(site.codes.withLock { $0.count } == 1)
        #expect(try await site.queuedMail().count == 1)
    }

    @Test func throttleAnswersSuccessButIssuesNothingUntilItPasses() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in
            let response1 = try await client.send(.post, path, json: ["email": "ann@example.org"])
            #expect(response1.status == .ok)
            let response2 = try await client.send(.post, path, json: ["email": "ann@example.org"])
            #expect(response2.status == .ok)
            #expect(site.codes.withLock { $0.count } == 1)
            site.clock.advance(61)
            let response3 = try await client.send(.post, path, json: ["email": "ann@example.org"])
            #expect(response3.status == .ok)
            #expect(site.codes.withLock { $0.count } == 2)
        }
        #expect(try await site.queuedMail().count == 2)
    }

    @Test func gateAcceptsTheRightCodeUnderEitherNameAndSkipsExpiredOnes() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only"])
        try await site.addUser(email: "ann@example.org")
        _ = try await site.plugin.gate.add(code: "expired-code-1", role: "", expiresAt: site.clock.now.addingTimeInterval(-1), by: .cli)
        _ = try await site.plugin.gate.add(code: "live-code-123", role: "editor", expiresAt: site.clock.now.addingTimeInterval(3600), by: .cli)
        try await site.set(["reset_password.requires_auth_code": "true"])
        try await site.test { client in
            let response4 = try await client.send(.post, path, json: ["email": "ann@example.org", "AUTH_KEY": "expired-code-1"])
            #expect(response4.errorCode == 27)
            let response5 = try await client.send(.post, path, json: ["email": "ann@example.org", "AUTH_KEY": "live-code-123"])
            #expect(response5.status == .ok)
            site.clock.advance(61)
            let response6 = try await client.send(.post, path, json: ["email": "ann@example.org", "AUTH_CODE": "live-code-123"])
            #expect(response6.status == .ok)
        }
        #expect(site.codes.withLock { $0.count } == 2)
    }

    @Test func aShortSJLAuthCodeKeptOnPurposeOpensTheGateAsTheDocsCurlSendsIt() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only"])
        try await site.addUser(email: "ann@example.org")
        await #expect(throws: AuthCodeError.self) { _ = try await site.plugin.gate.add(code: "123", role: "", expiresAt: nil, by: .cli) }
        let record = try await site.plugin.gate.add(code: "123", role: "", expiresAt: nil, allowShort: true, by: .cli)
        #expect(record.isWeak && record.length == 3 && record.lastFour == "123")
        try await site.set(["reset_password.requires_auth_code": "true"])
        try await site.test { client in
            // As the SJL docs' curl example sends it: every parameter in the query string of a POST.
            let passed = try await client.execute(uri: path + "?email=ann@example.org&AUTH_KEY=123", method: .post)
            #expect(passed.status == .ok)
            site.clock.advance(61)
            let wrong = try await client.execute(uri: path + "?email=ann@example.org&AUTH_KEY=124", method: .post)
            #expect(wrong.errorCode == 27)
        }
        #expect(site.codes.withLock { $0.count } == 1)
    }

    @Test func gateCannotBeTurnedOnWithoutCodes() async throws {
        let site = try await TestSite()
        let error = await #expect(throws: (any Error).self) { try await site.set(["reset_password.requires_auth_code": "true"]) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("Missing Auth Codes. Please add at least one Auth Code. (7001)"))
    }

    @Test func customModeRulesCarrySJLCodes() async throws {
        let site = try await TestSite()
        await #expect(throws: (any Error).self) {
            try await site.set(["reset_password.mode": "custom_email", "reset_password.email_body": "no variable"])
        }
        let error = await #expect(throws: (any Error).self) {
            try await site.set(["reset_password.mode": "custom_email", "reset_password.email_subject": " "])
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("10076"))
        try await site.set(["reset_password.mode": "custom_email", "reset_password.email_body": "link only: {{RESET_LINK}}"])
    }
}
