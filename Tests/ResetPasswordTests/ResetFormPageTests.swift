import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPressUsers
import Testing

/// The reset-form page's assets, headers and new-link form (the pages the browser tests drive).
@Suite struct ResetFormPageTests {
    @Test func assetsComeFromTheTemplatesFolderAndNothingElseIsServed() async throws {
        let site = try await TestSite()
        try "body { color: red; }".write(to: site.root.appendingPathComponent("templates/pages/assets/page.css"), atomically: true, encoding: .utf8)
        try await site.test { client in
            let css = try await client.execute(uri: "/_resetpassword/assets/page.css", method: .get)
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.text == "body { color: red; }")
            let script = try await client.execute(uri: "/_resetpassword/assets/page.js", method: .get)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.text.contains("history.replaceState"))
            for path in ["/_resetpassword/assets/..%2Fpassword_form.html", "/_resetpassword/assets/missing.css", "/_resetpassword/assets/.hidden.css", "/_resetpassword/assets/page.html"] {
                #expect(try await client.execute(uri: path, method: .get).status == .notFound)
            }
            #expect(try await client.execute(uri: "/admin/assets/admin.js", method: .get).status == .ok)
        }
    }

    @Test func everyPageCarriesTheStrictHeaders() async throws {
        let site = try await TestSite()
        try await site.test { client in
            let page = try await client.execute(uri: "/_resetpassword?code=nope", method: .get)
            #expect(page.text.contains("id=\"new-link-form\""))
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            let policy = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
            #expect(policy.contains("script-src 'self';"))
            #expect(policy.contains("connect-src 'self';"))
            #expect(!policy.contains("unsafe-inline"))
        }
    }

    @Test func aNewLinkIsAnsweredAlikeForKnownAndUnknownAddresses() async throws {
        let site = try await TestSite()
        let hash = try await site.plugin.passwordHasher.hash("old-password-1", cost: 4)
        _ = try await site.storage.users.add(
            NewUser(login: "ann", email: "ann@example.org", displayName: "Ann", nickname: "ann", firstName: "Ann", lastName: "Lee", passwordHash: hash),
            now: Date())
        try await site.test { client in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let known = try await client.execute(uri: "/_resetpassword/new-link", method: .post, headers: form, body: ByteBuffer(string: "email=ann%40example.org"))
            let unknown = try await client.execute(uri: "/_resetpassword/new-link", method: .post, headers: form, body: ByteBuffer(string: "email=bob%40example.org"))
            #expect(known.status == .ok)
            #expect(known.text == unknown.text)
            #expect(known.text.contains("id=\"link-sent\""))
            #expect(known.headers[.cacheControl] == "no-store")
            let invalid = try await client.execute(uri: "/_resetpassword/new-link", method: .post, headers: form, body: ByteBuffer(string: "email=nope"))
            #expect(invalid.status == .badRequest)
            #expect(invalid.text.contains("Enter the email address of your account."))
        }
        let mail = try await site.storage.outbox.list(status: nil, limit: 10)
        #expect(mail.map(\.recipients) == [["ann@example.org"]])
    }

    // MARK: - Languages (issue 14, item 2)

    /// Adds Ann with `locale`, asks for a reset with `headers`, and returns the link token of the mail.
    func linkToken(_ site: TestSite, locale: String, headers: HTTPFields = [:]) async throws -> String {
        let hash = try await site.plugin.passwordHasher.hash("old-password-1", cost: 4)
        _ = try await site.storage.users.add(
            NewUser(login: "ann", email: "ann@example.org", displayName: "Annabel Lee", firstName: "Annabel", lastName: "Lee", passwordHash: hash, locale: locale),
            now: site.clock.now)
        try await site.test { client in
            _ = try await client.send(.post, TestSite.namespace + "/user/reset_password", json: ["email": "ann@example.org"], headers: headers)
        }
        let text = try #require(try await site.queuedMail().last).message.textBody
        let start = try #require(text.range(of: "https://accounts.example.org/_resetpassword?code=")).upperBound
        return String(text[start...].prefix { !$0.isWhitespace })
    }

    @Test func aFrenchUserGetsTheFrenchFormAndItsRefusalsInFrench() async throws {
        let site = try await TestSite()
        let token = try await linkToken(site, locale: "fr")
        try await site.test { client in
            // The user's locale comes before the browser's English.
            let page = try await client.send(.get, "/_resetpassword?code=\(token)", headers: [.acceptLanguage: "en"])
            #expect(page.status == .ok)
            #expect(page.text.contains("<html lang=\"fr\">"))
            #expect(page.headers[.contentLanguage] == "fr")
            #expect(page.text.contains("<h1>Choisissez un nouveau mot de passe</h1>"))
            #expect(page.text.contains("<label for=\"new_password\">Nouveau mot de passe</label>"))
            #expect(page.text.contains("Au moins 8 caractères."))
            #expect(page.text.contains("<input type=\"hidden\" name=\"locale\" value=\"fr\">"))
            // The script's words, HTML-escaped in the form's data-messages.
            #expect(page.text.contains("&quot;mismatch&quot;:&quot;Les deux mots de passe ne sont pas identiques.&quot;"))
            #expect(page.text.contains("&quot;missingMany&quot;:&quot;Encore {{MISSING}} caractères (au moins 8).&quot;"))
            #expect(!page.text.contains("Choose a new password"))

            // Without script: a plain form post is answered with the French form and the French refusal.
            let form = "application/x-www-form-urlencoded"
            let short = try await client.send(.post, "/_resetpassword", body: "code=\(token)&new_password=court&confirm_password=court", contentType: form)
            #expect(short.status == .badRequest)
            #expect(short.text.contains("<html lang=\"fr\">"))
            #expect(short.text.contains("Le nouveau mot de passe doit contenir au moins 8 caractères."))
            #expect(short.text.contains("aria-invalid=\"true\""))
            let personal = try await client.send(
                .post, "/_resetpassword", body: "code=\(token)&new_password=annabel-forever&confirm_password=annabel-forever", contentType: form)
            #expect(personal.text.contains("Le nouveau mot de passe ne doit pas contenir votre prénom."))
            // With script: the envelope's message is French, same errorCode.
            let mismatch = try await client.send(.post, "/_resetpassword", json: ["code": token, "new_password": "un-secret-long", "confirm_password": "un-autre-secret"])
            #expect(mismatch.errorCode == 121)
            #expect(mismatch.message == "Les deux mots de passe ne sont pas identiques.")
            let done = try await client.send(.post, "/_resetpassword", json: ["code": token, "new_password": "un-secret-long", "confirm_password": "un-secret-long"])
            #expect(done.message == "Votre mot de passe a été modifié.")
            // The spent link: the French "new link" page, its form carrying the language on.
            let expired = try await client.send(.get, "/_resetpassword?code=\(token)", headers: [.acceptLanguage: "fr"])
            #expect(expired.text.contains("<h1>Ce lien ne fonctionne plus</h1>"))
            let sent = try await client.send(.post, "/_resetpassword/new-link", body: "email=nobody%40example.org&locale=fr", contentType: form)
            #expect(sent.text.contains("<h1>Consultez vos e-mails</h1>"))
        }
        #expect(try await site.passwordMatches("ann@example.org", "un-secret-long"))
    }

    @Test func acceptLanguageAndTheLocaleParameterChooseForAUserWithoutLocale() async throws {
        let site = try await TestSite()
        let token = try await linkToken(site, locale: "")
        try await site.test { client in
            let canadian = try await client.send(.get, "/_resetpassword?code=\(token)", headers: [.acceptLanguage: "de;q=0.9, fr-CA, en;q=0.5"])
            #expect(canadian.text.contains("<html lang=\"fr-CA\">"))
            #expect(canadian.text.contains("Choisissez un nouveau mot de passe"))
            let asked = try await client.send(.get, "/_resetpassword?code=\(token)&locale=fr", headers: [.acceptLanguage: "en"])
            #expect(asked.text.contains("<html lang=\"fr\">"))
            let english = try await client.send(.get, "/_resetpassword?code=\(token)", headers: [.acceptLanguage: "de, en;q=0.5"])
            #expect(english.text.contains("<html lang=\"en\">"))
            #expect(english.text.contains("Choose a new password"))
            #expect(english.text.contains("&quot;mismatch&quot;:&quot;The two passwords do not match.&quot;"))
            let unknown = try await client.send(.get, "/_resetpassword?code=nope", headers: [.acceptLanguage: "fr"])
            #expect(unknown.text.contains("<h1>Ce lien ne fonctionne plus</h1>"))
            let missing = try await client.send(
                .post, "/_resetpassword/new-link", body: "email=nope", contentType: "application/x-www-form-urlencoded", headers: [.acceptLanguage: "fr"])
            #expect(missing.text.contains("Saisissez l&#39;adresse e-mail de votre compte."))
        }
    }

    @Test func aTranslationMissingAKeyFallsBackToEnglishAndSiteLocaleDecidesLast() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_SITE__LOCALE": "fr"])
        try #"{"policy": "Au moins {{ min_length }} signes."}"#.write(
            to: site.root.appendingPathComponent("templates/pages/fr/messages.json"), atomically: true, encoding: .utf8)
        let token = try await linkToken(site, locale: "")
        try await site.test { client in
            let page = try await client.send(.get, "/_resetpassword?code=\(token)")
            #expect(page.text.contains("<html lang=\"fr\">"))
            #expect(page.text.contains("Au moins 8 signes."))
            #expect(page.text.contains("&quot;mismatch&quot;:&quot;The two passwords do not match.&quot;"))
        }
    }
}
