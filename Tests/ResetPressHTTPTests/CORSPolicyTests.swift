import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import ResetPressHTTP

struct CORSPolicyTests {
    final class Origins: Sendable {
        let list = Mutex(["https://app.example", "*"])
    }

    static let path: RouterPath = "/ns/user/reset_password"
    static let listed: HTTPFields = [.origin: "https://app.example"]

    /// The reset route (covered, with its own `OPTIONS` answer as the server adds it) and an uncovered admin route.
    private func makeApp(_ origins: Origins) -> some ApplicationProtocol {
        let router = Router(context: ResetPressRequestContext.self)
        let policy = CORSPolicy(maxAge: 300, covers: { $0.hasPrefix("/ns/") }) { origins.list.withLock { $0 } }
        router.add(middleware: CORSPolicyMiddleware(policy))
        router.post(Self.path) { _, _ in APIEnvelope.success(message: "ok") }
        router.put(Self.path) { _, _ -> Response in throw APIError.invalidCode }
        router.on(Self.path, method: .options) { _, _ in Response(status: .noContent, headers: [.allow: "POST, PUT, OPTIONS"]) }
        router.get("/admin/api/settings") { _, _ in APIEnvelope.success(message: "secret") }
        router.on("/admin/api/settings", method: .options) { _, _ in Response(status: .noContent, headers: [.allow: "GET, OPTIONS"]) }
        return Application(responder: router.buildResponder().rewritingRESTRoutes())
    }

    @Test func preflightForAListedOriginAllowsCredentials() async throws {
        try await makeApp(Origins()).test(.router) { client in
            var headers = Self.listed
            headers[.accessControlRequestMethod] = "PUT"
            headers[.accessControlRequestHeaders] = "content-type"
            try await client.execute(uri: "/wp-json\(Self.path)", method: .options, headers: headers) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "https://app.example")
                #expect(response.headers[.accessControlAllowCredentials] == "true")
                #expect(response.headers[.accessControlAllowMethods] == "POST, PUT, OPTIONS")
                #expect(response.headers[.accessControlAllowHeaders] == "Accept, Authorization, Content-Type, X-Requested-With, X-WP-Nonce")
                #expect(response.headers[.accessControlMaxAge] == "300")
                #expect(response.headers[.vary] == "Origin")
            }
        }
    }

    @Test(arguments: ["https://evil.example", "null", "*", "https://APP.example", "https://app.example/"])
    func preflightForAnUnlistedOriginHasNoCORSHeaders(_ origin: String) async throws {
        try await makeApp(Origins()).test(.router) { client in
            let headers: HTTPFields = [.origin: origin, .accessControlRequestMethod: "PUT"]
            try await client.execute(uri: "\(Self.path)", method: .options, headers: headers) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
                #expect(response.headers[.accessControlAllowCredentials] == nil)
                #expect(response.headers[.accessControlAllowMethods] == nil)
                #expect(response.headers[.accessControlAllowHeaders] == nil)
                #expect(response.headers[.vary] == "Origin")
            }
        }
    }

    @Test func actualRequestsAndErrorsGetOriginAndCredentials() async throws {
        try await makeApp(Origins()).test(.router) { client in
            try await client.execute(uri: "\(Self.path)", method: .post, headers: Self.listed) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "https://app.example")
                #expect(response.headers[.accessControlAllowCredentials] == "true")
                #expect(response.headers[.accessControlAllowMethods] == nil)
                #expect(response.headers[.vary] == "Origin")
            }
            try await client.execute(uri: "\(Self.path)", method: .put, headers: Self.listed) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.accessControlAllowOrigin] == "https://app.example")
                #expect(response.headers[.accessControlAllowCredentials] == "true")
                #expect(text(of: response).contains(#""errorCode":62"#))
            }
            try await client.execute(uri: "\(Self.path)", method: .post, headers: [.origin: "https://evil.example"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
                #expect(response.headers[.accessControlAllowCredentials] == nil)
                #expect(response.headers[.vary] == "Origin")
            }
            try await client.execute(uri: "\(Self.path)", method: .post) { response in
                #expect(response.headers[.vary] == nil)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func routesOutsideTheAPIAndUnknownPathsGetNoCORSHeaders() async throws {
        try await makeApp(Origins()).test(.router) { client in
            try await client.execute(uri: "/admin/api/settings", method: .get, headers: Self.listed) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
                #expect(response.headers[.accessControlAllowCredentials] == nil)
            }
            try await client.execute(uri: "/admin/api/settings", method: .options, headers: Self.listed) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            try await client.execute(uri: "/ns/nothing-here", method: .options, headers: Self.listed) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func originListIsReadPerRequest() async throws {
        let origins = Origins()
        try await makeApp(origins).test(.router) { client in
            let headers: HTTPFields = [.origin: "https://new.example"]
            try await client.execute(uri: "\(Self.path)", method: .post, headers: headers) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            origins.list.withLock { $0.append("https://new.example") }
            try await client.execute(uri: "\(Self.path)", method: .post, headers: headers) { response in
                #expect(response.headers[.accessControlAllowOrigin] == "https://new.example")
            }
        }
    }

    @Test(arguments: ["https://app.example", "http://127.0.0.1:8080", "http://[::1]:3000", "https://a-b.example.org"])
    func originsAreAccepted(_ text: String) {
        #expect(CORSPolicy.isOrigin(text))
    }

    @Test(arguments: ["*", "null", "app.example", "https://app.example/", "https://App.example", "ftp://a.example",
                      "https://", "https://a.example:99999", "https://a.example:", "https://a.example/path"])
    func nonOriginsAreRefused(_ text: String) {
        #expect(!CORSPolicy.isOrigin(text))
    }
}
