import Foundation
@testable import ResetPressCLI
import ResetPressEngine
import ResetPressStorage
import Testing

/// `resetpress settings import`: a Simple JWT Login export mapped onto the reset settings and auth codes.
@Suite struct SJLSettingsImportTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func mapping(_ json: String) throws -> SJLSettingsImport {
        try SJLSettingsImport(data: Data(json.utf8), now: now)
    }

    static func changes(_ mapping: SJLSettingsImport) -> [String: SettingValue] {
        Dictionary(mapping.changes.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    @Test func flatKeysOf3xMapOntoTheResetSettings() throws {
        let body = "Hi {{NAME}}, your code is {{CODE}}."
        let mapping = try Self.mapping("""
            {
              "allow_reset_password": "1",
              "reset_password_requires_auth_code": 0,
              "jwt_reset_password_flow": "2",
              "jwt_email_type": 1,
              "jwt_email_subject": "Your reset code",
              "jwt_reset_password_email_body": "\(Data(body.utf8).base64EncodedString())",
              "auth_password_base64": "on",
              "auth_code_key": "X-Auth",
              "auth_codes": [
                {"code": " LEGACY-CODE-1 ", "role": "editor", "expiration_date": "2030-01-02 03:04:05"},
                {"code": "SECOND-CODE", "expiration_date": 1893456000},
                {"code": ""}
              ],
              "reset_password_jwt": "1",
              "jwt_login_by": 0
            }
            """)
        #expect(mapping.format == "flat 3.x keys")
        #expect(mapping.problems.isEmpty)
        #expect(Self.changes(mapping) == [
            "reset_password.enabled": .bool(true),
            "reset_password.requires_auth_code": .bool(false),
            "reset_password.mode": .string("custom_email"),
            "reset_password.email_type": .string("html"),
            "reset_password.email_subject": .string("Your reset code"),
            "reset_password.email_body": .string(body),
            "reset_password.password_base64": .bool(true),
            "reset_password.auth_code_key": .string("X-Auth"),
        ])
        #expect(mapping.changes.first { $0.key == "reset_password.email_body" }?.source == "jwt_reset_password_email_body (base64, decoded)")

        #expect(mapping.authCodes.map(\.code) == ["LEGACY-CODE-1", "SECOND-CODE"], "trimmed, and the empty one skipped")
        #expect(mapping.authCodes.map(\.role) == ["editor", ""])
        #expect(mapping.authCodes.map(\.expiresAt) == [Date(timeIntervalSince1970: 1_893_553_445), Date(timeIntervalSince1970: 1_893_456_000)])
        #expect(Set(mapping.ignored) == ["jwt_login_by", "reset_password_jwt"])
        #expect(mapping.notes.contains("reset_password_jwt is on in SJL, but resetting with a JWT is not supported."))
        #expect(mapping.notes.contains("auth_codes[2] has no code; skipped as SJL does."))
    }

    @Test func nestedSectionsOf4xWrappedInTheOptionNameAsTextMapToo() throws {
        let inner = """
            {"_schema_version": 4,
             "reset_password": {"enabled": true, "flow": 0, "email_body": "Plain {{CODE}} body!", "send_password_changed_email": "off", "return_jwt": false},
             "authorization": {"password_base64": false},
             "auth_codes": {"key": "AUTH_KEY2", "codes": ["PLAIN-CODE-9"]},
             "login": {"enabled": true}}
            """
        let wrapped = try JSONSerialization.data(withJSONObject: ["simple_jwt_login_settings": inner])
        let mapping = try SJLSettingsImport(data: wrapped, now: Self.now)
        #expect(mapping.format == "nested 4.x sections")
        #expect(mapping.problems.isEmpty)
        #expect(Self.changes(mapping) == [
            "reset_password.enabled": .bool(true),
            "reset_password.mode": .string("store_only"),
            "reset_password.email_body": .string("Plain {{CODE}} body!"),
            "reset_password.notify_password_changed": .bool(false),
            "reset_password.password_base64": .bool(false),
            "reset_password.auth_code_key": .string("AUTH_KEY2"),
        ])
        #expect(mapping.notes.contains("reset_password.email_body is not base64 as SJL stores it; imported as plain text."))
        #expect(mapping.authCodes.map(\.code) == ["PLAIN-CODE-9"])
        #expect(mapping.authCodes.first?.expiresAt == nil && mapping.authCodes.first?.source == "auth_codes.codes[0]")
        #expect(Set(mapping.ignored) == ["login", "reset_password.return_jwt"])
        #expect(!mapping.notes.contains { $0.contains("return_jwt") }, "a JWT option that is off needs no remark")
    }

    @Test func valuesThatCannotBeMappedAreProblemsAndANonObjectIsRefused() throws {
        let mapping = try Self.mapping("""
            {"jwt_reset_password_flow": 7, "jwt_email_type": "2", "allow_reset_password": "maybe",
             "auth_codes": [{"code": "ABCDEFGH", "expiration_date": "next week"}]}
            """)
        #expect(Set(mapping.problems) == [
            "jwt_reset_password_flow: flow '7' is not 0, 1 or 2.",
            "jwt_email_type: email type '2' is not 0 or 1.",
            "allow_reset_password: 'maybe' is not a yes/no value.",
            "auth_codes[0]: expiration_date 'next week' is not a date (use YYYY-MM-DD HH:MM:SS or ISO 8601).",
        ])
        #expect(mapping.changes.isEmpty && mapping.authCodes.isEmpty)

        for text in ["[1, 2]", "not json", "\"text\""] {
            #expect(throws: CLIFailure.self, "\(text)") { try Self.mapping(text) }
        }
    }

    @Test func importWritesTheSettingsAndCodesAndAProblemWritesNothing() async throws {
        let site = try CLISite()
        let file = site.root.appendingPathComponent("sjl.json")
        try Data(#"{"jwt_reset_password_flow": 2, "jwt_email_subject": "Imported", "auth_codes": [{"code": "IMPORTED-CODE-1", "role": "editor"}]}"#.utf8)
            .write(to: file)
        let dryRun = try site.command(["settings", "import", file.path, "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.output)")
        #expect(dryRun.output.contains("Dry run: nothing was written."))
        #expect(try await site.database.settings.loadAll()["reset_password.mode"] == nil)
        #expect(try await site.database.authCodes.all().isEmpty)

        let imported = try site.command(["settings", "import", file.path])
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.output.contains("Auth codes added: 1 of 1."), "\(imported.output)")
        let stored = try await site.database.settings.loadAll()
        #expect(stored["reset_password.mode"] == .string("custom_email") && stored["reset_password.email_subject"] == .string("Imported"))
        #expect(try await site.database.authCodes.all().map { [$0.lastFour, $0.role] } == [["DE-1", "editor"]])

        try Data(#"{"jwt_reset_password_flow": 5, "jwt_email_subject": "Not this one"}"#.utf8).write(to: file)
        let refused = try site.command(["settings", "import", file.path])
        #expect(refused.status == 1)
        #expect(refused.output.contains("nothing was imported:\n  - jwt_reset_password_flow: flow '5' is not 0, 1 or 2."), "\(refused.output)")
        #expect(try await site.database.settings.loadAll()["reset_password.email_subject"] == .string("Imported"))
    }
}
