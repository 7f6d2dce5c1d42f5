import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import ResetPressEngine
import ResetPressHTTP
@testable import ResetPressServer
import ResetPressStorage
import ResetPressTestSupport
import Testing

/// `GET /openapi.json` serves the committed OpenAPI 3.1 document of the public API.
@Suite struct OpenAPIRouteTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let resetPaths = [
        "/simple-jwt-login/v1/user/reset_password", "/simple-jwt-login/v1/users/reset_password",
        "/wp-json/simple-jwt-login/v1/user/reset_password", "/wp-json/simple-jwt-login/v1/users/reset_password",
    ]

    /// A started engine for a site whose root holds `docs/openapi.json` when `withDocument`.
    func site(withDocument: Bool) async throws -> Engine {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-openapi-\(UUID().uuidString)")
        if withDocument {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("docs"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: Self.repositoryRoot.appendingPathComponent(OpenAPIRoute.relativePath),
                to: root.appendingPathComponent(OpenAPIRoute.relativePath))
        }
        let database = try SQLiteDatabase(dataDirectory: root.appendingPathComponent("var"))
        let engine = Engine(root: root, settingsStore: database.settings, environment: [:])
        try await engine.start()
        return engine
    }

    @Test func servesAnOpenAPI31DocumentListingTheResetRoutes() async throws {
        let app = Application(responder: ResetPressApplication.buildResponder(engine: try await site(withDocument: true)))
        try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                let document = try #require(object)
                #expect((document["openapi"] as? String)?.hasPrefix("3.1.") == true)
                let paths = try #require(document["paths"] as? [String: Any])
                let methods: Set = ["get", "head", "post", "put", "delete", "patch", "options", "trace"]
                for path in Self.resetPaths + ["/", "/index.php"] {
                    let item = try #require(paths[path] as? [String: Any], "missing \(path)")
                    #expect(Set(item.keys).intersection(methods) == ["post", "put", "options"], "\(path) documents a method it does not serve")
                }
                let restRoute = try #require(paths["/"] as? [String: Any])
                #expect(restRoute["post"] != nil && restRoute["put"] != nil)
                for path in ["/_resetpassword", "/healthz", "/metrics", "/openapi.json"] {
                    #expect(paths[path] != nil, "missing \(path)")
                }
            }
        }
    }

    @Test func everyOperationIdIsUniqueAndEveryReferenceResolves() throws {
        let data = try Data(contentsOf: Self.repositoryRoot.appendingPathComponent(OpenAPIRoute.relativePath))
        let text = String(decoding: data, as: UTF8.self)
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let components = try #require(document["components"] as? [String: [String: Any]])
        for match in text.matches(of: /"\$ref": "#\/components\/(\w+)\/(\w+)"/) {
            #expect(components[String(match.1)]?[String(match.2)] != nil, "dangling \(match.0)")
        }
        let ids = text.matches(of: /"operationId": "(\w+)"/).map { String($0.1) }
        #expect(ids.count == Set(ids).count)
        #expect(ids.count >= 25)
    }

    @Test func pathsFollowTheConfiguredNamespace() throws {
        let url = Self.repositoryRoot.appendingPathComponent(OpenAPIRoute.relativePath)
        let moved = try #require(OpenAPIRoute.load(from: url, namespace: "acme/v2"))
        #expect(moved.contains(#""/acme/v2/user/reset_password""#))
        #expect(moved.contains(#""/wp-json/acme/v2/users/reset_password""#))
        #expect(!moved.contains("/simple-jwt-login/v1/"))
        #expect(OpenAPIRoute.load(from: url, namespace: OpenAPIRoute.documentedNamespace)?.contains("/simple-jwt-login/v1/") == true)
    }

    @Test func aSiteWithoutTheDocumentAnswers404() async throws {
        let app = Application(responder: ResetPressApplication.buildResponder(engine: try await site(withDocument: false)))
        try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { #expect($0.status == .notFound) }
        }
    }
}

/// Bodies found by contract fuzzing (scripts/contract-fuzz) that once killed the server.
@Suite struct FuzzRegressionTests {
    func parse(_ bytes: [UInt8], boundary: String) throws(ParameterError) -> RequestParameters {
        let head = HTTPRequest(
            method: .post, scheme: "http", authority: "localhost", path: "/",
            headerFields: [.contentType: "multipart/form-data; boundary=\(boundary)"])
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer()))
        return try RequestParameters.parse(request: request, body: ByteBuffer(bytes: bytes), limit: 65536)
    }

    /// `before`, the raw bytes, then `after`.
    static func body(_ before: String, _ raw: [UInt8], _ after: String) -> [UInt8] {
        Array(before.utf8) + raw + Array(after.utf8)
    }

    static let brokenHeaderNames: [[UInt8]] = [
        body("--b\r\n", [0xF1, 0xAC, 0xA0, 0x83], "@<--b--\r\n"),
        body("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n", [0xC3, 0xA9], ": x\r\n\r\n1\r\n--b--\r\n"),
        body("preamble\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b\r\n", [0x80], ":\r\n\r\n2\r\n--b--\r\n"),
    ]

    /// MultipartKit traps on a header-name byte above 0x7F; such a body must be a 123, not a crash.
    @Test(arguments: brokenHeaderNames)
    func nonASCIIHeaderNameIsMalformed(_ body: [UInt8]) {
        #expect(throws: ParameterError.self) { try parse(body, boundary: "b") }
    }

    @Test func nonASCIIInValuesAndContentStillParses() throws {
        let file = "--b\r\nContent-Disposition: form-data; name=\"email\"; filename*=UTF-8''é\r\n\r\nx\r\n"
        let note = "--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nnaïve: é\r\n--b--\r\n"
        let body = Array((file + note).utf8)
        #expect(try parse(body, boundary: "b") == ["note": "naïve: é"])
    }
}
