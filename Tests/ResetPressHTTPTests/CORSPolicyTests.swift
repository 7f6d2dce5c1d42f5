import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import ResetPressHTTP

struct CORSPolicyTests {
    final class Origins: Sendable {
        let list = Mutex(["https://app.example"])
    }

    private func makeApp(_ origins: Origins) -> some ApplicationProtocol {
        let router = Router(context: ResetPressRequestContext.self)
        router.add(middleware: CORSPolicyMiddleware(CORSPolicy(maxAge: 300) { origins.list.withLock { $0 } }))
        router.post("/ns/user/reset_password") { _, _ in APIEnvelope.success(message: "ok") }
        router.put("/ns/user/reset_password") { _, _ -> Response in throw APIError.invalidCode }
        return Application(responder: router.buildResponder().rewritingRESTRoutes())
    }

    @Test func preflightForAListedOrigin() async throws {
        try await makeApp(Origins()).test(.router) { client in
            let headers: HTTPFields = [.origin: "https://app.example", .accessControlRequestMethod: "PUT"]
            try await client.execute(uri: "/wp-json/ns/user/reset_password", method: .options, headers: headers) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "https://app.example")
                #expect(response.headers[.accessControlAllowMethods] == "GET, POST, PUT, OPTIONS")
                #expect(response.headers[.accessControlAllowHeaders] == "Content-Type, Authorization")
                #expect(response.headers[.accessControlMaxAge] == "300")
                #expect(response.headers[.vary] == "Origin")
            }
        }
    }

    @Test func preflightForAnUnlistedOrigin() async throws {
        try await makeApp(Origins()).test(.router) { client in
            let headers: HTTPFields = [.origin: "https://evil.example", .accessControlRequestMethod: "PUT"]
            try await client.execute(uri: "/ns/user/reset_password", method: .options, headers: headers) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
                #expect(response.headers[.accessControlAllowMethods] == nil)
                #expect(response.headers[.accessControlAllowHeaders] == nil)
                #expect(response.headers[.vary] == "Origin")
            }
        }
    }

    @Test func actualRequestsAndErrorsGetHeaders() async throws {
        try await makeApp(Origins()).test(.router) { client in
            try await client.execute(uri: "/ns/user/reset_password", method: .post, headers: [.origin: "https://app.example"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "https://app.example")
                #expect(response.headers[.vary] == "Origin")
            }
            try await client.execute(uri: "/ns/user/reset_password", method: .put, headers: [.origin: "https://app.example"]) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.accessControlAllowOrigin] == "https://app.example")
                #expect(text(of: response).contains(#""errorCode":62"#))
            }
            try await client.execute(uri: "/ns/user/reset_password", method: .post, headers: [.origin: "null"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            try await client.execute(uri: "/ns/user/reset_password", method: .post) { response in
                #expect(response.headers[.vary] == nil)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func originListIsReadPerRequest() async throws {
        let origins = Origins()
        try await makeApp(origins).test(.router) { client in
            let headers: HTTPFields = [.origin: "https://new.example"]
            try await client.execute(uri: "/ns/user/reset_password", method: .post, headers: headers) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            origins.list.withLock { $0.append("https://new.example") }
            try await client.execute(uri: "/ns/user/reset_password", method: .post, headers: headers) { response in
                #expect(response.headers[.accessControlAllowOrigin] == "https://new.example")
            }
        }
    }
}
