import Foundation
import Hummingbird
import HummingbirdTesting
import ResetPressHTTP
import Testing
@testable import ResetPassword

@Suite struct RouteAndParameterTests {
    @Test(arguments: [
        "/simple-jwt-login/v1/user/reset_password",
        "/simple-jwt-login/v1/users/reset_password",
        "/wp-json/simple-jwt-login/v1/user/reset_password",
        "/wp-json/simple-jwt-login/v1/users/reset_password",
        "/?rest_route=/simple-jwt-login/v1/user/reset_password",
        "/?rest_route=/simple-jwt-login/v1/users/reset_password",
        "/index.php?rest_route=%2Fsimple-jwt-login%2Fv1%2Fuser%2Freset_password",
    ])
    func everyRouteFormReachesTheEndpoint(path: String) async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only"])
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in
            let response = try await client.send(.post, path, json: ["email": "ann@example.org"])
            #expect(response.status == .ok)
            #expect(response.message == "The Code has been saved into the database.")
        }
        #expect(site.codes.withLock { $0.count } == 1)
    }

    /// `curl -d '{"email":"..."}'` labels JSON as a form; SJL clients rely on it being read as JSON.
    @Test func jsonLabelledAsAFormIsReadAsJSON() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only"])
        try await site.addUser(email: "ann@example.org")
        try await site.test { client in
            let response = try await client.send(
                .post, TestSite.namespace + "/user/reset_password", body: #"{"email":"ann@example.org"}"#,
                contentType: "application/x-www-form-urlencoded")
            #expect(response.status == .ok)
        }
        #expect(site.codes.withLock { $0.count } == 1)
    }

    @Test func queryURLEncodedAndMultipartParametersWork() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "store_only", "RESETPRESS_RESET_PASSWORD__THROTTLE_SECONDS": "0"])
        try await site.addUser(email: "ann@example.org")
        let path = TestSite.namespace + "/user/reset_password"
        try await site.test { client in
            let response1 = try await client.send(.post, path + "?email=ann%40example.org")
            #expect(response1.status == .ok)
            let response2 = try await client.send(.post, path, body: "email=ann%40example.org", contentType: "application/x-www-form-urlencoded")
            #expect(response2.status == .ok)
            let multipart = "--XyZ\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nann@example.org\r\n--XyZ--\r\n"
            let response3 = try await client.send(.post, path, body: multipart, contentType: "multipart/form-data; boundary=XyZ")
            #expect(response3.status == .ok)
            // The body wins over the query string.
            let clash = try await client.send(.post, path + "?email=not-an-email", json: ["email": "ann@example.org"])
            #expect(clash.status == .ok)
        }
        #expect(site.codes.withLock { $0.count } == 4)
    }

    @Test func corsPreflightIsAnsweredForListedOrigins() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_HTTP__CORS_ORIGINS": "https://app.example.org"])
        try await site.test { client in
            let preflight = try await client.execute(
                uri: TestSite.namespace + "/user/reset_password", method: .options,
                headers: [.origin: "https://app.example.org", .accessControlRequestMethod: "PUT"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://app.example.org")
            let other = try await client.execute(
                uri: TestSite.namespace + "/user/reset_password", method: .options,
                headers: [.origin: "https://evil.example", .accessControlRequestMethod: "PUT"])
            #expect(other.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func inactivePluginRoutesAnswer404() async throws {
        let site = try await TestSite(environment: ["RESETPRESS_PLUGINS__RESET_PASSWORD__ACTIVE": "false"])
        try await site.test { client in
            let response4 = try await client.send(.post, TestSite.namespace + "/user/reset_password", json: ["email": "a@example.org"])
            #expect(response4.status == .notFound)
            let response5 = try await client.send(.get, "/healthz")
            #expect(response5.status == .ok)
        }
    }
}
