import Foundation
import ResetPressTestSupport
import Testing

/// Mail and pages in the user's language through `resetpress serve` (issue 14, item 2): a user added
/// with `users add --locale fr` receives the French mail in `var/mail/*.eml` and its link opens the
/// French form; one without gets English.
@Suite struct LanguageServeTests {
    static let reset = "/simple-jwt-login/v1/user/reset_password"
    static let environment = ["RESETPRESS_USERS__PASSWORD_HASH_COST": "4"]

    @Test func aFrenchUserGetsTheFrenchMailAndPage() async throws {
        let folder = try SiteFolder()
        let data = folder.root.appendingPathComponent("var")
        for (login, locale) in [("ann", "fr"), ("bob", "")] {
            let added = try ServerProcess.command(
                ["users", "add", "--root", folder.root.path, "--data-dir", data.path, "--login", login, "--email", "\(login)@example.org"]
                    + (locale.isEmpty ? [] : ["--locale", locale]),
                environment: Self.environment)
            #expect(added.status == 0, "\(added.output)")
        }
        let listed = try ServerProcess.command(
            ["users", "list", "--root", folder.root.path, "--data-dir", data.path], environment: Self.environment)
        #expect(listed.output.contains("LOCALE"))
        let preview = try ServerProcess.command(
            ["mail", "preview", "--root", folder.root.path, "--data-dir", data.path, "--locale", "fr"], environment: Self.environment)
        #expect(preview.status == 0, "\(preview.output)")
        #expect(preview.output.contains("Vous pouvez aussi choisir un nouveau mot de passe"))
        let server = try await ServerProcess(root: folder.root, dataDirectory: data, environment: Self.environment)
        defer { server.stop() }

        #expect(try await server.send("POST", Self.reset, json: ["email": "ann@example.org"]).status == 200)
        let french = try #require(try await CancelServeTests.mail(folder, count: 1).first)
        #expect(french.contains("Vous pouvez aussi choisir un nouveau mot de passe"))
        #expect(french.contains("Content-Language: fr") || french.contains("lang=3D\"fr\"") || french.contains("lang=\"fr\""))
        #expect(!french.contains("Your reset code is"))
        // The link in her mail opens the French form.
        let start = try #require(french.range(of: "/_resetpassword?code=")).upperBound
        let link = String(french[start...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
        let page = try await server.send("GET", "/_resetpassword?code=\(link)")
        #expect(page.status == 200)
        #expect(page.body.contains("<html lang=\"fr\">"))
        #expect(page.body.contains("Choisissez un nouveau mot de passe"))

        #expect(try await server.send("POST", Self.reset, json: ["email": "bob@example.org"]).status == 200)
        let mail = try await CancelServeTests.mail(folder, count: 2)
        #expect(mail.contains { $0.contains("Your reset code is: ") })
    }
}
