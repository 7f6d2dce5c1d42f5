import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPressUsers
import Testing
@testable import ResetPassword

/// Mail in the user's language (issue 14, item 2): user → `locale` parameter → `Accept-Language` → `site.locale`.
@Suite struct LanguageTests {
    static let request = TestSite.namespace + "/user/reset_password"

    /// Adds `email` with `locale` and asks for a reset with `json` extras and `headers`; returns the mail.
    func resetMail(
        locale: String, extra: [String: String] = [:], headers: HTTPFields = [:], site: TestSite? = nil
    ) async throws -> QueuedMail {
        let site = if let site { site } else { try await TestSite() }
        _ = try await site.storage.users.add(
            NewUser(login: "ann", email: "ann@example.org", displayName: "Ann Lee", firstName: "Ann", lastName: "Lee", locale: locale),
            now: site.clock.now)
        try await site.test { client in
            let response = try await client.send(.post, Self.request, json: ["email": "ann@example.org"].merging(extra) { $1 }, headers: headers)
            #expect(response.status == .ok)
        }
        return try #require(try await site.queuedMail().last)
    }

    @Test func aFrenchUserGetsTheFrenchMailWithItsCancelLine() async throws {
        let mail = try await resetMail(locale: "fr")
        #expect(mail.message.subject == "Réinitialisation de votre mot de passe sur Example Site")
        #expect(mail.message.textBody.contains("Bonjour Ann Lee,"))
        #expect(mail.message.textBody.contains("Ce n'était pas vous ?"))
        #expect(mail.message.textBody.contains("https://accounts.example.org/_resetpassword/cancel?code="))
        #expect(mail.message.htmlBody?.contains("<html lang=\"fr\">") == true)
        #expect(mail.message.htmlBody?.contains("Annulez la demande") == true)
    }

    @Test func acceptLanguageDecidesForAUserWithoutLocale() async throws {
        let mail = try await resetMail(locale: "", headers: [.acceptLanguage: "de;q=0.5, fr-FR;q=0.9, en;q=0.1"])
        #expect(mail.message.subject.hasPrefix("Réinitialisation"))
    }

    @Test func theUsersLocaleComesBeforeTheRequest() async throws {
        let mail = try await resetMail(locale: "en", extra: ["locale": "fr"], headers: [.acceptLanguage: "fr"])
        #expect(mail.message.subject == "Reset your password for Example Site")
    }

    @Test func theLocaleParameterComesBeforeAcceptLanguage() async throws {
        let french = try await resetMail(locale: "", extra: ["locale": "fr"], headers: [.acceptLanguage: "en"])
        #expect(french.message.subject.hasPrefix("Réinitialisation"))
    }

    @Test func aRegionFallsBackToItsLanguage() async throws {
        let mail = try await resetMail(locale: "fr-CA")
        #expect(mail.message.subject.hasPrefix("Réinitialisation"))
    }

    @Test func anUnknownLocaleGetsTheDefaultEnglish() async throws {
        let mail = try await resetMail(locale: "xx", headers: [.acceptLanguage: "zz"])
        #expect(mail.message.subject == "Reset your password for Example Site")
        #expect(mail.message.textBody.contains("Didn't ask for this?"))
    }

    @Test func siteLocalePicksTheLanguageWhenNobodyElseDoes() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_SITE__LOCALE": "fr"])
        let mail = try await resetMail(locale: "", site: site)
        #expect(mail.message.subject.hasPrefix("Réinitialisation"))
    }

    @Test func localeIsAVariable() async throws {
        let site = try await TestSite()
        try "Subject: {{LOCALE}}\n\n{{CODE}} {{RESET_LINK}}\n".write(
            to: site.root.appendingPathComponent("templates/password/fr/email.tpl"), atomically: true, encoding: .utf8)
        let mail = try await resetMail(locale: "fr-CA", site: site)
        #expect(mail.message.subject == "fr-CA")
    }

    @Test func theChangedNoticeFollowsTheUser() async throws {
        let site = try await TestSite()
        _ = try await resetMail(locale: "fr", site: site)
        let code = try #require(site.lastCode)
        try await site.test { client in
            let response = try await client.send(
                .put, Self.request, json: ["email": "ann@example.org", "code": code, "new_password": "a brand new secret 42"])
            #expect(response.status == .ok)
        }
        let notice = try #require(try await site.queuedMail().last)
        #expect(notice.message.subject == "Votre mot de passe sur Example Site a été modifié")
    }

    @Test func acceptLanguageIsReadByQuality() {
        #expect(LocaleTag.accepted("de;q=0.5, fr-fr;q=0.9, *, en;q=0, es") == ["es", "fr-FR", "de"])
        #expect(LocaleTag.normalized("fr_ca") == "fr-CA")
        #expect(LocaleTag.normalized("zh-hant-tw") == "zh-Hant-TW")
        #expect(LocaleTag.normalized("français") == nil)
        #expect(LocaleTag.normalized("") == nil)
    }
}
