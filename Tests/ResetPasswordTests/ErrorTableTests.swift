import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import ResetPassword

/// One test per row of SPEC §6's error table: code, status and message.
@Suite struct ErrorTableTests {
    let path = TestSite.namespace + "/user/reset_password"

    func expectError(_ response: TestResponse, code: Int, status: HTTPResponse.Status, message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.errorCode == code, sourceLocation: sourceLocation)
        #expect(response.json["data"]?["error_code"]?.numberValue == Double(code), sourceLocation: sourceLocation)
        #expect(response.json["success"] == false, sourceLocation: sourceLocation)
        #expect(response.message == message, sourceLocation: sourceLocation)
    }

    @Test func disabledAnswers56ToRequestAndChange() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__ENABLED": "false"])
        try await site.test { client in
            expectError(try await client.send(.post, path, json: ["email": "a@example.org"]), code: 56, status: .badRequest, message: "Reset Password is not allowed.")
            expectError(try await client.send(.put, path, json: ["email": "a@example.org", "code": "x", "new_password": "long-enough"]),
                        code: 56, status: .badRequest, message: "Reset Password is not allowed.")
        }
    }

    @Test func gateAnswers94And27NamingTheKey() async throws {
        let site = try await TestSite()
        _ = try await site.plugin.gate.add(code: "right-auth-code", role: "", expiresAt: nil, by: .cli)
        try await site.set(["reset_password.requires_auth_code": "true", "reset_password.auth_code_key": "MY_KEY"])
        try await site.test { client in
            expectError(try await client.send(.post, path, json: ["email": "a@example.org"]), code: 94, status: .unauthorized, message: "Auth Code is required.")
            expectError(try await client.send(.post, path, json: ["email": "a@example.org", "MY_KEY": "wrong-code"]),
                        code: 27, status: .unauthorized, message: "Invalid Auth Code ( MY_KEY ) provided.")
        }
    }

    @Test func requestWithoutOrWithBadEmailAnswers63And96() async throws {
        let site = try await TestSite()
        try await site.test { client in
            expectError(try await client.send(.post, path, json: [:]), code: 63, status: .badRequest, message: "Missing email parameter.")
            expectError(try await client.send(.post, path, json: ["email": "not-an-email"]), code: 96, status: .badRequest, message: "Invalid email parameter.")
        }
    }

    @Test func revealUnknownUsersAnswers64() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__REVEAL_UNKNOWN_USERS": "true"])
        try await site.test { client in
            expectError(try await client.send(.post, path, json: ["email": "nobody@example.org"]), code: 64, status: .badRequest, message: "Wrong user.")
        }
    }

    @Test func changeMissingParametersAnswer59_61_60And95() async throws {
        let site = try await TestSite()
        try await site.test { client in
            expectError(try await client.send(.put, path, json: ["code": "c", "new_password": "long-enough"]),
                        code: 59, status: .badRequest, message: "Missing email parameter.")
            expectError(try await client.send(.put, path, json: ["email": "a@example.org", "code": "c"]),
                        code: 61, status: .badRequest, message: "Missing new_password parameter.")
            expectError(try await client.send(.put, path, json: ["email": "a@example.org", "new_password": "long-enough"]),
                        code: 60, status: .badRequest, message: "Missing code parameter.")
            expectError(try await client.send(.put, path, json: ["email": "bad", "code": "c", "new_password": "long-enough"]),
                        code: 95, status: .badRequest, message: "Invalid email parameter.")
        }
    }

    @Test func base64OptionRejectsNonBase64With63() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__PASSWORD_BASE64": "true"])
        try await site.test { client in
            expectError(try await client.send(.put, path, json: ["email": "a@example.org", "code": "c", "new_password": "%%%not base64"]),
                        code: 63, status: .badRequest, message: "Parameter new_password does not contain a valid base64 text.")
        }
    }

    @Test func wrongCodeAnswers62AndShortPassword121() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in
            expectError(try await client.send(.put, path, json: ["email": "ann@example.org", "code": "nope", "new_password": "long-enough"]),
                        code: 62, status: .badRequest, message: "Invalid code provided.")
            expectError(try await client.send(.put, path, json: ["email": "ann@example.org", "code": "nope", "new_password": "short"]),
                        code: 121, status: .badRequest, message: "The new password must be at least 8 characters long.")
            // 8 code points in 7 grapheme clusters (č + skin-tone modifier): long enough, as `minLength` counts.
            expectError(try await client.send(.put, path, json: ["email": "ann@example.org", "code": "nope", "new_password": "abcdef\u{10D}\u{1F3FB}"]),
                        code: 62, status: .badRequest, message: "Invalid code provided.")
        }
    }

    @Test func malformedBodyAnswers123AndOversizeBody124() async throws {
        let site = try await TestSite()
        try await site.test { client in
            expectError(try await client.send(.post, path, body: "{\"email\": ", contentType: "application/json"),
                        code: 123, status: .badRequest, message: "Malformed request body.")
            expectError(try await client.send(.post, path, body: "email=%ZZ", contentType: "application/x-www-form-urlencoded"),
                        code: 123, status: .badRequest, message: "Malformed request body.")
            let big = "email=" + String(repeating: "a", count: 70_000)
            expectError(try await client.send(.post, path, body: big, contentType: "application/x-www-form-urlencoded"),
                        code: 124, status: .contentTooLarge, message: "Request body too large.")
        }
    }

    @Test func otherMethodsAnswer57() async throws {
        let site = try await TestSite()
        try await site.test { client in
            for method in [HTTPRequest.Method.get, .delete, .patch] {
                let response = try await client.send(method, path)
                expectError(response, code: 57, status: .methodNotAllowed, message: "Route called with invalid request method.")
            }
        }
    }

    @Test func perIPLimitAnswers120WithRetryAfter() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__IP_LIMIT_PER_MINUTE": "3"])
        try await site.test { client in
            for _ in 0..<3 {
                let response1 = try await client.send(.post, path, json: ["email": "x@example.org"])
                #expect(response1.status == .ok)
            }
            let limited = try await client.send(.post, path, json: ["email": "x@example.org"])
            expectError(limited, code: 120, status: .tooManyRequests, message: "Too many requests. Please try again later.")
            let retryAfter = limited.headers[.retryAfter].flatMap(Int.init) ?? 0
            #expect((1...60).contains(retryAfter))
        }
    }

    @Test func internalFailureAnswers1WithoutInternals() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org")
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("templates/password/email.tpl"))
        try await site.test { client in
            let response = try await client.send(.post, path, json: ["email": "ann@example.org"])
            expectError(response, code: 1, status: .internalServerError, message: "Internal error.")
            #expect(!String(buffer: response.body).contains("email.tpl"))
        }
        #expect(try await site.storage.resetCodes.count() == 0)
    }
}
