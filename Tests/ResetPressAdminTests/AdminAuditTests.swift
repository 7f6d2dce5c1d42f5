import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPressEngine
import ResetPressTestSupport
import Testing

/// The audit trail names who changed a setting, whichever way it was changed, and never holds a secret.
@Suite struct AdminAuditTests {
    @Test func theTrailNamesThePageTheTokenAndTheCLIAndHoldsNoSecret() async throws {
        let site = try await AdminTestSite()
        let bearer = try await site.bearer(scopes: [.settings])
        let secret = "smtp-pass-1234567890-SECRET"
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let page = try await browser.post(client, "/admin/settings", form: ["_csrf": browser.csrf ?? "", "site.name": "Page name"])
            #expect(page.status == .seeOther)
            let api = try await client.execute(
                uri: "/admin/api/settings", method: .post, headers: bearer,
                body: ByteBuffer(string: #"{"site.name": "API name", "mail.smtp.password": "\#(secret)"}"#))
            #expect(api.status == .ok)
            let wrong = try await browser.post(client, "/admin/login", form: ["_csrf": browser.csrf ?? "", "password": "not the password"])
            #expect(wrong.status == .unauthorized)
        }
        let options = ["--root", site.root.path, "--data-dir", site.root.appendingPathComponent("var").path]
        let cli = try ServerProcess.command(["settings", "set", "site.name", "CLI name"] + options, environment: [:])
        #expect(cli.status == 0, "\(cli.output)")

        let listed = try ServerProcess.command(["audit", "--json"] + options, environment: [:])
        #expect(listed.status == 0, "\(listed.output)")
        let records = try JSONDecoder().decode([Listed].self, from: Data(listed.output.utf8))
        let names = records.filter { $0.action == "setting.changed" && $0.subject == "site.name" }.map(\.actor)
        #expect(names.count == 3)
        #expect(names[0].hasPrefix("cli:") && names[1] == "token:test" && names[2] == "admin", "\(names)")
        #expect(records.contains { $0.action == "setting.changed" && $0.subject == "mail.smtp.password" && $0.detail == "(secret) changed" })
        #expect(records.contains { $0.action == "signin.failed" && $0.actor == "admin" })
        #expect(records.contains { $0.action == "signin.succeeded" && $0.actor == "admin" })
        #expect(!listed.output.contains(secret) && !listed.output.contains("SECRET"))
        #expect(!listed.output.contains(AdminTestSite.password))

        // The admin's Audit trail page shows the same records, escaped, and no secret either.
        try await site.test { client in
            var browser = AdminBrowser()
            try await browser.signIn(client)
            let page = try await browser.get(client, "/admin/audit").text
            #expect(page.contains("<td>token:test</td>") && page.contains("<td>site.name</td>") && page.contains("(secret) changed"))
            #expect(page.contains("CLI name") && !page.contains(secret))
        }
    }

    /// One record as `resetpress audit --json` prints it.
    private struct Listed: Decodable {
        let actor: String
        let clientIP: String
        let action: String
        let subject: String
        let detail: String

        enum CodingKeys: String, CodingKey {
            case actor, action, subject, detail
            case clientIP = "client_ip"
        }
    }
}
