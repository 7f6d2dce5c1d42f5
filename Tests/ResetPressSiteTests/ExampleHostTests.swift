import Foundation
import ResetPressTestSupport
import Testing

/// The example host end to end, as a separate process: its own users and filter, the reset routes
/// mounted on its own router, mail to files.
@Suite struct ExampleHostTests {
    static let reset = "/simple-jwt-login/v1/user/reset_password"

    @Test func aProUserGetsTheFiltersMailAndTheChangeReachesTheHostsUsers() async throws {
        let folder = try SiteFolder()
        let host = try await ServerProcess(
            executable: ServerProcess.program(named: "ResetPressExampleHost"), arguments: ["0"], workingDirectory: folder.root,
            environment: ["RESETPRESS_USERS__PASSWORD_HASH_COST": "4"], readyPath: "/")
        defer { host.stop() }
        #expect(try await host.send("POST", Self.reset, json: ["email": "ann@example.org"]).status == 200)
        #expect(try await host.send("POST", Self.reset, json: ["email": "bob@example.org"]).status == 200)

        var mail: [String] = []
        for _ in 0..<100 where mail.count < 2 {
            try await Task.sleep(for: .milliseconds(50))
            mail = try folder.deliveredMail(in: "var/example-host/mail")
        }
        let ann = try #require(mail.first { $0.contains("To: ann@example.org") })
        let bob = try #require(mail.first { $0.contains("To: bob@example.org") })
        #expect(ann.contains("as a Pro member your reset code is"))
        #expect(!bob.contains("Pro member"))
        let code = try #require(SiteFolder.code(after: "as a Pro member your reset code is ", in: ann))

        // The change through SJL's ?rest_route= form, which the host's responder rewrites.
        let changed = try await host.send(
            "PUT", "/?rest_route=" + Self.reset, json: ["email": "ann@example.org", "code": code, "new_password": "brand-new-secret-9"])
        #expect(changed.status == 200)
        #expect(try await host.send("POST", "/login", json: ["email": "ann@example.org", "password": "brand-new-secret-9"]).status == 200)
        #expect(try await host.send("POST", "/login", json: ["email": "ann@example.org", "password": "initial-password-ann"]).status == 401)
        #expect(host.stop() == 0)
    }
}
