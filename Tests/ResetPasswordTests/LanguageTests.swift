import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPressEngine
import ResetPressMail
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

    // MARK: - The custom subject and body per locale

    /// Adds `login@example.org` with `locale`, asks for a reset with `headers`, and returns its mail.
    func customMail(_ site: TestSite, login: String, locale: String, headers: HTTPFields = [:]) async throws -> MailMessage {
        _ = try await site.storage.users.add(
            NewUser(login: login, email: "\(login)@example.org", firstName: login.capitalized, locale: locale), now: site.clock.now)
        try await site.test { client in
            let response = try await client.send(.post, Self.request, json: ["email": "\(login)@example.org"], headers: headers)
            #expect(response.status == .ok)
        }
        return try #require(try await site.queuedMail().last { $0.recipients == ["\(login)@example.org"] }).message
    }

    @Test func theCustomSubjectAndBodyFollowTheChainPerLocale() async throws {
        let site = try await TestSite()
        try await site.set([
            "reset_password.mode": "custom_email",
            "reset_password.email_subject": "Your code",
            "reset_password.email_subject.fr": "Votre code",
            "reset_password.email_subject.fr-ca": "Votre code (Canada)",
            "reset_password.email_body.fr": "Bonjour {{FIRST_NAME}}, votre code : {{CODE}} ({{LOCALE}})",
        ])
        // A region's own subject, its language's body.
        let canadian = try await customMail(site, login: "anne", locale: "fr_CA")
        #expect(canadian.subject == "Votre code (Canada)")
        #expect(canadian.textBody.hasPrefix("Bonjour Anne, votre code : "))
        #expect(canadian.textBody.hasSuffix("(fr-CA)"))
        let french = try await customMail(site, login: "marie", locale: "fr")
        #expect(french.subject == "Votre code")
        #expect(french.textBody.hasSuffix("(fr)"))
        // No variant for German: the plain settings.
        let german = try await customMail(site, login: "hans", locale: "de")
        #expect(german.subject == "Your code")
        #expect(german.textBody.hasPrefix("Hello "))
        // Without a user's locale the request decides, as for the templates.
        let asked = try await customMail(site, login: "paul", locale: "", headers: [.acceptLanguage: "fr-BE, en;q=0.5"])
        #expect(asked.subject == "Votre code")
        #expect(asked.textBody.hasSuffix("(fr-BE)"))
        // Under one spelling, whatever spelling the write used; a body without the code is refused.
        #expect(site.engine.settings.snapshot.resolved("reset_password.email_subject.fr_CA")?.value == .string("Votre code (Canada)"))
        await #expect(throws: SettingsWriteError.self) { try await site.set(["reset_password.email_body.de": "Hallo"]) }
        await #expect(throws: SettingsWriteError.self) { try await site.set(["reset_password.email_subject.not a tag": "x"]) }
    }

    @Test func aPerLocaleSubjectMayBePinnedByTheEnvironment() async throws {
        let site = try await TestSite(environment: [
            "RESETPRESS_RESET_PASSWORD__MODE": "custom_email", "RESETPRESS_RESET_PASSWORD__EMAIL_SUBJECT__FR_CA": "Objet épinglé",
        ])
        let canadian = try await customMail(site, login: "anne", locale: "fr-CA")
        #expect(canadian.subject == "Objet épinglé")
        // Its body falls back to the plain setting.
        #expect(canadian.textBody.hasPrefix("Hello Anne"))
        let french = try await customMail(site, login: "marie", locale: "fr")
        #expect(french.subject == "Reset your password")
    }

    @Test func acceptLanguageIsReadByQuality() {
        #expect(LocaleTag.accepted("de;q=0.5, fr-fr;q=0.9, *, en;q=0, es") == ["es", "fr-FR", "de"])
        #expect(LocaleTag.normalized("fr_ca") == "fr-CA")
        #expect(LocaleTag.normalized("zh-hant-tw") == "zh-Hant-TW")
        #expect(LocaleTag.normalized("français") == nil)
        #expect(LocaleTag.normalized("") == nil)
        // A plain lower-case language is returned as it is; anything else takes the general path.
        #expect(["en", "ast", "EN", " de ", "e", "engl", "e1", "fr-"].map(LocaleTag.normalized) == ["en", "ast", "en", "de", nil, nil, nil, nil])
    }
}
