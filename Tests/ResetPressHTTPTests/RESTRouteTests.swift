import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import ResetPressHTTP

struct RESTRouteTests {
    @Test func rewrittenTargets() {
        #expect(RESTRoute.rewrittenTarget(path: "/", query: "rest_route=/simple-jwt-login/v1/user/reset_password&email=a%40b.c")
            == "/simple-jwt-login/v1/user/reset_password?email=a%40b.c")
        #expect(RESTRoute.rewrittenTarget(path: "/index.php", query: "a=1&rest_route=%2Fns%2Fv1%2Fx&b=2") == "/ns/v1/x?a=1&b=2")
        #expect(RESTRoute.rewrittenTarget(path: "/", query: "rest_route=ns/x") == "/ns/x")
        #expect(RESTRoute.rewrittenTarget(path: "/", query: "rest_route=/old&rest_route=/new") == "/new")
        #expect(RESTRoute.rewrittenTarget(path: "/wp-json/ns/v1/x", query: "a=1") == "/ns/v1/x?a=1")
        #expect(RESTRoute.rewrittenTarget(path: "/wp-json", query: nil) == "/")
        #expect(RESTRoute.rewrittenTarget(path: "/wp-jsonx/ns", query: nil) == nil)
        #expect(RESTRoute.rewrittenTarget(path: "/other", query: "rest_route=/x") == nil)
        #expect(RESTRoute.rewrittenTarget(path: "/", query: "a=1") == nil)
        #expect(RESTRoute.rewrittenTarget(path: "/", query: "rest_route=%ZZ") == nil)
        #expect(RESTRoute.rewrittenTarget(path: "/", query: "rest_route=/x%3Fy=1") == nil)
    }

    @Test func rewriteKeepsMethodHeadersAndBody() async throws {
        let request = makeRequest(
            "/?rest_route=/ns/x&q=1",
            method: .put,
            headers: contentType("application/json"),
            body: ByteBuffer(string: "{}")
        )
        let rewritten = RESTRoute.rewrite(request)
        #expect(rewritten.uri.path == "/ns/x")
        #expect(rewritten.uri.query == "q=1")
        #expect(rewritten.method == .put)
        #expect(rewritten.headers[.contentType] == "application/json")
        #expect(try await String(buffer: rewritten.body.collect(upTo: 100)) == "{}")
    }

    private func makeApp() -> some ApplicationProtocol {
        let router = Router(context: ResetPressRequestContext.self)
        let echo: @Sendable (Request, ResetPressRequestContext) async throws -> Response = { request, context in
            let parameters = try await RequestParameters.read(from: request, context: context)
            let data = parameters.map { ($0.name, JSONValue.string($0.value)) }
            return APIEnvelope.success(message: "\(request.method.rawValue) \(request.uri.path)", data: data)
        }
        router.post("/simple-jwt-login/v1/user/reset_password", use: echo)
        router.put("/simple-jwt-login/v1/user/reset_password", use: echo)
        router.get("/simple-jwt-login/v1/user/reset_password", use: echo)
        return Application(responder: router.buildResponder().rewritingRESTRoutes())
    }

    @Test(arguments: [
        "/simple-jwt-login/v1/user/reset_password?q=1",
        "/wp-json/simple-jwt-login/v1/user/reset_password?q=1",
        "/?rest_route=/simple-jwt-login/v1/user/reset_password&q=1",
        "/?q=1&rest_route=%2Fsimple-jwt-login%2Fv1%2Fuser%2Freset_password",
        "/index.php?rest_route=/simple-jwt-login/v1/user/reset_password&q=1",
    ])
    func everySpellingReachesTheRoute(_ uri: String) async throws {
        try await makeApp().test(.router) { client in
            for method in [HTTPRequest.Method.get, .post, .put] {
                try await client.execute(uri: uri, method: method, body: ByteBuffer(string: "email=a%40b.c")) { response in
                    #expect(response.status == .ok)
                    let json = try JSONValue(parsing: response.body)
                    #expect(json["message"]?.stringValue == "\(method.rawValue) /simple-jwt-login/v1/user/reset_password")
                    #expect(json["data"]?["q"] == "1")
                    #expect(json["data"]?["email"] == "a@b.c")
                    #expect(json["data"]?["rest_route"] == nil)
                }
            }
        }
    }

    @Test func unknownRoutesStillMiss() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/?rest_route=/nope", method: .post) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/wp-json/nope", method: .post) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func bodyErrorsThroughTheRouter() async throws {
        let router = Router(context: ResetPressRequestContext.self)
        router.add(middleware: BodyLimitMiddleware(limit: { 64 }, timeoutSeconds: { 30 }))
        router.post("/p") { request, context in
            let parameters = try await RequestParameters.read(from: request, context: context)
            return APIEnvelope.success(message: parameters["email"] ?? "-")
        }
        let app = Application(responder: router.buildResponder())
        try await app.test(.router) { client in
            try await client.execute(uri: "/p", method: .post, body: ByteBuffer(string: String(repeating: "a", count: 65))) { response in
                #expect(response.status == .contentTooLarge)
                #expect(text(of: response).contains(#""errorCode":124"#))
            }
            try await client.execute(uri: "/p", method: .post, headers: contentType("application/json"), body: ByteBuffer(string: "{bad")) { response in
                #expect(response.status == .badRequest)
                #expect(text(of: response).contains(#""errorCode":123"#))
            }
            try await client.execute(uri: "/p", method: .post, body: ByteBuffer(string: #"{"email":"a@b.c"}"#)) { response in
                #expect(response.status == .ok)
                #expect(text(of: response).contains(#""message":"a@b.c""#))
            }
        }
    }
}
