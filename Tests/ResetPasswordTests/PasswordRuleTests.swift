import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ResetPressEngine
import ResetPressHTTP
import Synchronization
import Testing
@testable import ResetPassword

/// The new-password rules of NIST SP 800-63B (issue 15, item 3) through PUT and the form endpoint.
@Suite struct PasswordRuleTests {
    let path = TestSite.namespace + "/user/reset_password"

    /// A user whose every name is long enough for the personal rule.
    static let email = "margaret.smith@example.org"

    func site(_ environment: [String: String] = [:]) async throws -> TestSite {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only"].merging(environment) { $1 })
        try await site.addUser(email: Self.email, login: "msmith", firstName: "Margaret", lastName: "Hopkins")
        return site
    }

    /// Asks for a code and returns it.
    func code(_ site: TestSite, email: String = Self.email) async throws -> String {
        try await site.test { client in _ = try await client.send(.post, path, json: ["email": email]) }
        return try #require(site.lastCode)
    }

    /// The answer to a PUT with the current code and `password`.
    func put(_ site: TestSite, _ password: String, code: String, email: String = Self.email) async throws -> (Int?, String?) {
        let result = Mutex<(Int?, String?)>((nil, nil))
        try await site.test { client in
            let response = try await client.send(.put, path, json: ["email": email, "code": code, "new_password": password])
            result.withLock { $0 = (response.status == .ok ? 0 : response.errorCode, response.message) }
        }
        return result.withLock { $0 }
    }

    static let personal: [(String, String)] = [
        ("x-Margaret.Smith-9", "The new password must not contain your email address's name."),
        ("my-MSMITH-secret", "The new password must not contain your login."),
        ("i-am-margaret-ok", "The new password must not contain your first name."),
        ("HOPKINS-forever", "The new password must not contain your last name."),
        ("love example site!", "The new password must not contain the site's name."),
        ("hopkins", "The new password must not contain your last name."),
    ]

    @Test(arguments: personal)
    func eachPersonalRuleIsNamedAndTheCodeStaysUsable(password: String, message: String) async throws {
        let site = try await site(["RESETPRESS_RESET_PASSWORD__PASSWORD_MIN_LENGTH": "6"])
        let code = try await code(site)
        let refused = try await put(site, password, code: code)
        #expect(refused.0 == 121)
        #expect(refused.1 == message)
        #expect(try await !site.passwordMatches(Self.email, password))
        // The refusal counted one guess, no more: the same code then sets an acceptable password.
        let accepted = try await put(site, "correct horse battery staple", code: code)
        #expect(accepted.0 == 0)
        #expect(try await site.passwordMatches(Self.email, "correct horse battery staple"))
    }

    @Test func namesShorterThanFourCharactersAreNotLookedFor() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only", "RESETPRESS_SITE__NAME": "Acm"])
        try await site.addUser(email: "ann@example.org", login: "ann", firstName: "Ann", lastName: "Lee")
        let code = try await code(site, email: "ann@example.org")
        #expect(try await put(site, "ann-lee-acm-2024", code: code, email: "ann@example.org").0 == 0)
    }

    @Test func withoutTheRightCodeThePersonalRuleGivesNothingAway() async throws {
        let site = try await site()
        _ = try await code(site)
        // A password naming the account, with a wrong code: the same answer as any wrong code.
        let guess = try await put(site, "my-MSMITH-secret", code: "wrong-code-1")
        #expect(guess.0 == 62)
        #expect(guess.1 == "Invalid code provided.")
        let unknown = try await put(site, "my-MSMITH-secret", code: "wrong-code-1", email: "nobody@example.org")
        #expect(unknown.0 == 62)
    }

    @Test func sixtyFourCharactersAreAcceptedCountedInCodePoints() async throws {
        let site = try await site(["RESETPRESS_RESET_PASSWORD__PASSWORD_MIN_LENGTH": "64"])
        let code = try await code(site)
        let emoji = String(repeating: "🔑", count: 63)
        let short = try await put(site, emoji, code: code)
        #expect(short.0 == 121)
        #expect(short.1 == "The new password must be at least 64 characters long.")
        #expect(try await put(site, emoji + "🔒", code: code).0 == 0)
        #expect(try await site.passwordMatches(Self.email, emoji + "🔒"))
        await #expect(throws: (any Error).self) { try await site.set(["reset_password.password_min_length": "65"]) }
    }

    // MARK: - Blocklist

    func writeBlocklist(_ site: TestSite, _ text: String, name: String = "blocklist.txt") throws {
        try text.write(to: site.root.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    @Test func aListedPasswordIsRefusedIgnoringCaseAndTheListFollowsTheFile() async throws {
        let site = try await site()
        try writeBlocklist(site, "Password123\r\nletmein-please\n\n")
        try await site.set(["reset_password.password_blocklist_file": "blocklist.txt"])
        let code = try await code(site)
        let refused = try await put(site, "PASSWORD123", code: code)
        #expect(refused.0 == 121)
        #expect(refused.1 == "The new password is on this site's list of common or breached passwords; choose another.")
        #expect(try await put(site, "letmein-please", code: code).0 == 121)
        // A listed password is refused before the code is looked at: it is the same for every account.
        #expect(try await put(site, "letmein-please", code: "wrong-code-1").0 == 121)

        try writeBlocklist(site, "Password123\nletmein-please\nnew-entry-after-edit\n")
        #expect(try await put(site, "New-Entry-After-Edit", code: code).0 == 121)
        #expect(try await put(site, "not-on-any-list-42", code: code).0 == 0)
    }

    @Test func anAbsolutePathWorksAndAnUnreadableFileIsRefusedByName() async throws {
        let site = try await site()
        let absolute = site.root.appendingPathComponent("lists/common.txt")
        try FileManager.default.createDirectory(at: absolute.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "qwertyuiop\n".write(to: absolute, atomically: true, encoding: .utf8)
        try await site.set(["reset_password.password_blocklist_file": absolute.path])
        let code = try await code(site)
        #expect(try await put(site, "QwertyUIOP", code: code).0 == 121)

        let error = await #expect(throws: SettingsWriteError.self) {
            try await site.set(["reset_password.password_blocklist_file": "missing.txt"])
        }
        #expect(error?.description.contains("The password blocklist file missing.txt cannot be read") == true)
        #expect(site.engine.settings[ResetPasswordSettings.passwordBlocklistFile] == absolute.path)
    }

    @Test func aFileThatGoesMissingKeepsTheLastListAndLogsOnce() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("blocklist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let blocklist = PasswordBlocklist()
        let logger = Logger(label: "test")
        #expect(!blocklist.contains("hunter2hunter2", path: "list.txt", root: root, logger: logger))
        try "hunter2hunter2\n".write(to: root.appendingPathComponent("list.txt"), atomically: true, encoding: .utf8)
        #expect(blocklist.contains("HUNTER2hunter2", path: "list.txt", root: root, logger: logger))
        try FileManager.default.removeItem(at: root.appendingPathComponent("list.txt"))
        #expect(blocklist.contains("hunter2hunter2", path: "list.txt", root: root, logger: logger))
        #expect(!blocklist.contains("hunter2hunter2", path: "", root: root, logger: logger))
    }

    // MARK: - The form endpoint

    /// Requests a reset by mail and returns the link token.
    func linkToken(_ site: TestSite) async throws -> String {
        try await site.addUser(email: Self.email, login: "msmith", firstName: "Margaret", lastName: "Hopkins")
        try await site.test { client in _ = try await client.send(.post, path, json: ["email": Self.email]) }
        let text = try #require(try await site.queuedMail().first).message.textBody
        let marker = "https://accounts.example.org/_resetpassword?code="
        let start = try #require(text.range(of: marker)).upperBound
        return String(text[start...].prefix { !$0.isWhitespace })
    }

    @Test(arguments: personal.prefix(5))
    func theFormEndpointNamesEachRuleInJSONAndInAPage(password: String, message: String) async throws {
        let site = try await TestSite()
        let token = try await linkToken(site)
        try await site.test { client in
            let json = try await client.send(.post, "/_resetpassword", json: ["code": token, "new_password": password, "confirm_password": password])
            #expect(json.errorCode == 121)
            #expect(json.message == message)
            let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? password
            let page = try await client.send(
                .post, "/_resetpassword", body: "code=\(token)&new_password=\(encoded)&confirm_password=\(encoded)",
                contentType: "application/x-www-form-urlencoded")
            #expect(page.status == .badRequest)
            let html = String(buffer: page.body)
            #expect(html.contains(message.replacingOccurrences(of: "'", with: "&#39;")) || html.contains(message))
            #expect(html.contains("value=\"\(token)\""))
            // Without script: the summary takes the focus and links to the field, the message stands next to it.
            #expect(html.contains("autofocus"))
            #expect(html.contains("<a href=\"#new_password\" id=\"error\">"))
            #expect(html.contains("aria-describedby=\"policy new_password-error\" aria-invalid=\"true\""))
            #expect(html.contains("<p class=\"field-error\" id=\"new_password-error\">The new password must not contain"))
        }
        #expect(try await !site.passwordMatches(Self.email, password))
    }

    @Test func theFormPageShowsNoErrorUntilOneAndPutsAMismatchNextToTheSecondField() async throws {
        let site = try await TestSite()
        let token = try await linkToken(site)
        try await site.test { client in
            let page = String(buffer: try await client.send(.get, "/_resetpassword?code=\(token)").body)
            #expect(page.contains("aria-labelledby=\"error-summary-title\" hidden >"))
            #expect(!page.contains("autofocus"))
            #expect(page.contains("id=\"rule-common\" hidden>"))
            let mismatch = try await client.send(
                .post, "/_resetpassword", body: "code=\(token)&new_password=one-password&confirm_password=two-password",
                contentType: "application/x-www-form-urlencoded")
            let html = String(buffer: mismatch.body)
            #expect(html.contains("<a href=\"#confirm_password\" id=\"error\">The two passwords do not match.</a>"))
            #expect(html.contains("<p class=\"field-error\" id=\"confirm_password-error\">The two passwords do not match.</p>"))
            #expect(html.contains("<p class=\"field-error\" id=\"new_password-error\"></p>"))
        }
    }

    @Test func theFormEndpointRefusesAListedPassword() async throws {
        let site = try await TestSite()
        try writeBlocklist(site, "letmein-please\n")
        try await site.set(["reset_password.password_blocklist_file": "blocklist.txt"])
        let token = try await linkToken(site)
        try await site.test { client in
            let json = try await client.send(.post, "/_resetpassword", json: ["code": token, "new_password": "LetMeIn-Please", "confirm_password": "LetMeIn-Please"])
            #expect(json.errorCode == 121)
            let page = try await client.send(
                .post, "/_resetpassword", body: "code=\(token)&new_password=letmein-please&confirm_password=letmein-please",
                contentType: "application/x-www-form-urlencoded")
            #expect(String(buffer: page.body).contains("list of common or breached passwords"))
            let done = try await client.send(.post, "/_resetpassword", json: ["code": token, "new_password": "a-fine-new-one", "confirm_password": "a-fine-new-one"])
            #expect(done.message == "User Password has been changed.")
        }
    }
}
