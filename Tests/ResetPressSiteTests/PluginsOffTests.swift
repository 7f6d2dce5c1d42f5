import Foundation
import ResetPressTestSupport
import Testing

/// Every plugin can be off: `resetpress serve` starts, the plugin's routes answer 404, the rest works.
@Suite struct PluginsOffTests {
    static let reset = "/simple-jwt-login/v1/user/reset_password"

    private func serve(_ environment: [String: String]) async throws -> (SiteFolder, ServerProcess) {
        let folder = try SiteFolder()
        let server = try await ServerProcess(
            root: folder.root, dataDirectory: folder.root.appendingPathComponent("var"),
            environment: environment.merging(["RESETPRESS_USERS__PASSWORD_HASH_COST": "4"]) { $1 })
        return (folder, server)
    }

    @Test func theResetPluginOff() async throws {
        let (folder, server) = try await serve(["RESETPRESS_PLUGINS__RESET_PASSWORD__ACTIVE": "false"])
        defer { server.stop() }
        #expect(try await server.send("GET", "/healthz").status == 200)
        #expect(try await server.send("POST", Self.reset, json: ["email": "ann@example.org"]).status == 404)
        #expect(try await server.send("GET", "/_resetpassword?code=x").status == 404)
        #expect(try await server.send("GET", "/admin/login").status == 200)
        #expect(server.stop() == 0)
        _ = folder
    }

    @Test func theAdminPluginOff() async throws {
        let (folder, server) = try await serve(["RESETPRESS_PLUGINS__ADMIN__ACTIVE": "false"])
        defer { server.stop() }
        #expect(try await server.send("GET", "/admin/login").status == 404)
        #expect(try await server.send("POST", Self.reset, json: ["email": "nobody@example.org"]).status == 200)
        #expect(server.stop() == 0)
        _ = folder
    }

    @Test func everyPluginOff() async throws {
        let (folder, server) = try await serve([
            "RESETPRESS_PLUGINS__RESET_PASSWORD__ACTIVE": "false", "RESETPRESS_PLUGINS__ADMIN__ACTIVE": "false",
            "RESETPRESS_PLUGINS__WEBHOOKS__ACTIVE": "false",
        ])
        defer { server.stop() }
        #expect(try await server.send("GET", "/healthz").status == 200)
        #expect(try await server.send("GET", "/metrics").status == 200)
        #expect(try await server.send("POST", Self.reset, json: ["email": "ann@example.org"]).status == 404)
        #expect(try await server.send("GET", "/admin/login").status == 404)
        #expect(server.stop() == 0)
        _ = folder
    }
}
