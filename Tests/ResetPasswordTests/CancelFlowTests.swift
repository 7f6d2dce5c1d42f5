import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPressEngine
import ResetPressStorage
import ResetPressUsers
import Synchronization
import Testing
@testable import ResetPassword

/// "That wasn't me" and scanner-proof links (issue 14, items 3 and 4).
@Suite struct CancelFlowTests {
    static let request = TestSite.namespace + "/user/reset_password"
    static let form = "application/x-www-form-urlencoded"

    /// The token after `marker` in `text`.
    static func token(after marker: String, in text: String) throws -> String {
        let start = try #require(text.range(of: marker)).upperBound
        return String(text[start...].prefix { !$0.isWhitespace && $0 != "\"" })
    }

    /// Asks for a reset for Ann; returns the link token and the cancel token of the newest mail.
    func requestReset(_ site: TestSite) async throws -> (link: String, cancel: String) {
        try await site.test { client in _ = try await client.send(.post, Self.request, json: ["email": "ann@example.org"]) }
        let message = try #require(try await site.queuedMail().last).message
        let link = try Self.token(after: "https://accounts.example.org/_resetpassword?code=", in: message.textBody)
        let cancel = try Self.token(after: "https://accounts.example.org/_resetpassword/cancel?code=", in: message.textBody)
        #expect(message.htmlBody?.contains("https://accounts.example.org/_resetpassword/cancel?code=\(cancel)") == true)
        return (link, cancel)
    }

    /// Every `reset_password_cancelled` seen, as "login:context JSON".
    final class Cancels: Sendable {
        private let entries = Mutex<[String]>([])

        var all: [String] { entries.withLock { $0 } }

        func append(_ entry: String) { entries.withLock { $0.append(entry) } }
    }

    /// Starts recording `reset_password_cancelled`.
    func recordCancels(_ site: TestSite) -> Cancels {
        let cancels = Cancels()
        site.engine.hooks.addAction("reset_password_cancelled") { (login: String, context: HookContext) in
            let json = String(decoding: try JSONEncoder().encode(context), as: UTF8.self)
            cancels.append("\(login):\(json)")
        }
        return cancels
    }

    @Test func getIsHarmlessPostRevokesAndBlocksUntilTheBlockEnds() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org", login: "ann")
        let cancels = recordCancels(site)
        let (_, cancel) = try await requestReset(site)
        let code = try #require(site.lastCode)
        try await site.test { client in
            for _ in 0..<3 {
                let page = try await client.send(.get, "/_resetpassword/cancel?code=\(cancel)")
                #expect(page.status == .ok)
                #expect(page.headers[HTTPField.Name("Content-Security-Policy")!] == ResetFormPages.contentSecurityPolicy)
                #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(String(buffer: page.body).contains("value=\"\(cancel)\""))
            }
        }
        #expect(try await site.storage.resetCodes.count() == 1)
        #expect(cancels.all.isEmpty)

        try await site.test { client in
            let done = try await client.send(.post, "/_resetpassword/cancel", body: "code=\(cancel)", contentType: Self.form)
            #expect(done.status == .ok)
            #expect(String(buffer: done.body).contains("Nothing will change"))
            let old = try await client.send(.put, Self.request, json: ["email": "ann@example.org", "code": code, "new_password": "not-mine-at-all"])
            #expect(old.errorCode == 62)
            // Within the block: the same success answer, nothing issued.
            let blocked = try await client.send(.post, Self.request, json: ["email": "ann@example.org"])
            #expect(blocked.status == .ok)
            #expect(blocked.message == "Reset password email has been sent.")
        }
        #expect(try await site.queuedMail().count == 1)
        #expect(try await site.storage.resetCodes.count() == 0)
        #expect(site.audit.withLock { $0 }.contains { $0.hasPrefix("reset_password_failed:cancelled_block:") })
        let seen = cancels.all
        #expect(seen.count == 1)
        #expect(seen.first?.hasPrefix("ann:") == true)
        #expect(seen.first?.contains("\"login\":\"ann\"") == true)
        #expect(seen.allSatisfy { !$0.contains(cancel) })
        #expect(try await site.passwordMatches("ann@example.org", "old-password-1"))
        let window = (from: site.clock.now.addingTimeInterval(-60), to: site.clock.now.addingTimeInterval(60))
        let events = try await site.storage.events.counts(from: window.from, to: window.to)
        #expect(events[.cancelled] == 1)
        #expect(events[.blocked] == 1, "a request during the block")

        site.clock.advance(59 * 60)
        try await site.test { client in _ = try await client.send(.post, Self.request, json: ["email": "ann@example.org"]) }
        #expect(try await site.queuedMail().count == 1)
        site.clock.advance(2 * 60)
        let (link, _) = try await requestReset(site)
        #expect(try await site.queuedMail().count == 2)
        try await site.test { client in
            let changed = try await client.send(
                .post, "/_resetpassword", body: "code=\(link)&new_password=after-the-block&confirm_password=after-the-block", contentType: Self.form)
            #expect(changed.status == .ok)
        }
        #expect(try await site.passwordMatches("ann@example.org", "after-the-block"))
    }

    @Test func anUnknownOrSpentTokenGetsTheSamePages() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org", login: "ann")
        let cancels = recordCancels(site)
        let (_, cancel) = try await requestReset(site)
        let unknown = String(repeating: "x", count: cancel.count)
        try await site.test { client in
            let livePage = try await client.send(.get, "/_resetpassword/cancel?code=\(cancel)")
            let unknownPage = try await client.send(.get, "/_resetpassword/cancel?code=\(unknown)")
            #expect(unknownPage.status == livePage.status)
            #expect(String(buffer: unknownPage.body) == String(buffer: livePage.body).replacingOccurrences(of: cancel, with: unknown))

            let live = try await client.send(.post, "/_resetpassword/cancel", body: "code=\(cancel)", contentType: Self.form)
            let spent = try await client.send(.post, "/_resetpassword/cancel", body: "code=\(cancel)", contentType: Self.form)
            let none = try await client.send(.post, "/_resetpassword/cancel", body: "code=\(unknown)", contentType: Self.form)
            let empty = try await client.send(.post, "/_resetpassword/cancel", body: "", contentType: Self.form)
            for answer in [spent, none, empty] {
                #expect(answer.status == live.status)
                #expect(String(buffer: answer.body) == String(buffer: live.body))
            }
        }
        #expect(cancels.all.count == 1)
    }

    /// The cancel pages speak the token's user's language (issue 14, item 2); the form carries it
    /// on, so the answer to a live and to a spent token is the same French page.
    @Test func aFrenchUserGetsTheCancelPagesInFrench() async throws {
        let site = try await TestSite()
        _ = try await site.storage.users.add(NewUser(login: "ann", email: "ann@example.org", firstName: "Ann", locale: "fr"), now: site.clock.now)
        let (_, cancel) = try await requestReset(site)
        try await site.test { client in
            let page = try await client.send(.get, "/_resetpassword/cancel?code=\(cancel)", headers: [.acceptLanguage: "en"])
            let text = String(buffer: page.body)
            #expect(text.contains("<html lang=\"fr\">"))
            #expect(text.contains("<h1>Vous n'avez pas demandé de nouveau mot de passe ?</h1>"))
            #expect(text.contains("<input type=\"hidden\" name=\"locale\" value=\"fr\">"))
            #expect(text.contains("Annuler la réinitialisation</button>"))
            let live = try await client.send(.post, "/_resetpassword/cancel", body: "code=\(cancel)&locale=fr", contentType: Self.form)
            let spent = try await client.send(.post, "/_resetpassword/cancel", body: "code=\(cancel)&locale=fr", contentType: Self.form)
            #expect(String(buffer: live.body).contains("<h1>Rien ne changera</h1>"))
            #expect(String(buffer: spent.body) == String(buffer: live.body))
            // A browser that asks for French gets it for any token.
            let asked = try await client.send(.get, "/_resetpassword/cancel?code=unknown", headers: [.acceptLanguage: "fr-BE, en;q=0.3"])
            #expect(String(buffer: asked.body).contains("<html lang=\"fr-BE\">"))
        }
        #expect(try await site.storage.resetCodes.count() == 0)
    }

    /// A mail scanner opens both links, three times each with GET and HEAD: nothing is spent,
    /// cancelled or counted, even with one guess allowed; then the user completes the reset.
    @Test func scannersOpeningBothLinksChangeNothing() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MAX_ATTEMPTS": "1"])
        try await site.addUser(email: "ann@example.org", login: "ann")
        let cancels = recordCancels(site)
        let (link, cancel) = try await requestReset(site)
        try await site.test { client in
            for method in [HTTPRequest.Method.get, .head] {
                for _ in 0..<3 {
                    #expect(try await client.send(method, "/_resetpassword?code=\(link)").status == .ok)
                    #expect(try await client.send(method, "/_resetpassword/cancel?code=\(cancel)").status == .ok)
                }
            }
            let form = try await client.send(.get, "/_resetpassword?code=\(link)")
            #expect(String(buffer: form.body).contains("value=\"\(link)\""))
        }
        let record = try #require(try await site.storage.resetCodes.current(email: "ann@example.org"))
        #expect(record.attempts == 0)
        #expect(try await site.storage.resetCodes.blockedUntil(userID: record.userID) == nil)
        #expect(cancels.all.isEmpty)
        try await site.test { client in
            let changed = try await client.send(
                .post, "/_resetpassword", body: "code=\(link)&new_password=scanner-proof&confirm_password=scanner-proof", contentType: Self.form)
            #expect(changed.status == .ok)
            #expect(String(buffer: changed.body).contains("Your password was changed"))
        }
        #expect(try await site.passwordMatches("ann@example.org", "scanner-proof"))
    }

    @Test func aBlockedAccountGetsNoCoroniumLinkEither() async throws {
        let site = try await TestSite()
        try await site.addUser(email: "ann@example.org", login: "ann")
        let (_, cancel) = try await requestReset(site)
        try await site.test { client in _ = try await client.send(.post, "/_resetpassword/cancel", body: "code=\(cancel)", contentType: Self.form) }
        try await site.plugin.service.sendPasswordResetLink(to: "ann@example.org", appName: nil)
        #expect(try await site.queuedMail().count == 1)
        #expect(try await site.storage.resetCodes.count() == 0)
    }
}
