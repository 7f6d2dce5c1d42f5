import Hummingbird
import NIOCore
import Testing

@testable import ResetPressHTTP

struct RequestParametersTests {
    private func parse(
        _ body: String,
        target: String = "/",
        headers: HTTPFields = [:],
        limit: Int = 64 * 1024
    ) throws(ParameterError) -> RequestParameters {
        try RequestParameters.parse(request: makeRequest(target, headers: headers), body: ByteBuffer(string: body), limit: limit)
    }

    @Test func urlencodedBody() throws {
        let parameters = try parse("a=1&email=a%40b.c&name=Jo+Ann&flag&=skipped&&x=%E2%9C%93",
            headers: contentType("application/x-www-form-urlencoded; charset=UTF-8"))
        #expect(parameters == ["a": "1", "email": "a@b.c", "name": "Jo Ann", "flag": "", "x": "✓"])
    }

    @Test func urlencodedWithoutContentType() throws {
        #expect(try parse("email=x%2By%40z.c") == ["email": "x+y@z.c"])
    }

    @Test func jsonBody() throws {
        let body = #"{"email":"a@b.c","n":12.50,"big":12345678901234567890,"t":true,"f":false,"z":null,"o":{"k":[1,"x"]}}"#
        let parameters = try parse(body, headers: contentType("application/json"))
        #expect(parameters == [
            "email": "a@b.c", "n": "12.50", "big": "12345678901234567890", "t": "true", "f": "false",
            "o": #"{"k":[1,"x"]}"#,
        ])
        #expect(!parameters.contains("z"))
    }

    @Test func jsonLabelledAsFormIsJSON() throws {
        let parameters = try parse(#" {"email":"a@b.c","code":"X1"}"#, headers: contentType("application/x-www-form-urlencoded"))
        #expect(parameters == ["email": "a@b.c", "code": "X1"])
        #expect(try parse(#"{"email":"a@b.c"}"#) == ["email": "a@b.c"])
        #expect(try parse(#"{"email":"a@b.c"}"#, headers: contentType("text/plain")) == ["email": "a@b.c"])
    }

    @Test func multipartTextFieldsWithFilesIgnored() throws {
        let boundary = "----x7MA4YWxk"
        let body = [
            "--\(boundary)",
            #"Content-Disposition: form-data; name="email""#,
            "",
            "a@b.c",
            "--\(boundary)",
            #"Content-Disposition: form-data; name="note; tricky""#,
            "Content-Type: text/plain; charset=utf-8",
            "",
            "line one\r\nline two é",
            "--\(boundary)",
            #"Content-Disposition: form-data; name="avatar"; filename="a.bin""#,
            "Content-Type: application/octet-stream",
            "",
            "\u{00}\u{01}binary",
            "--\(boundary)--",
            "",
        ].joined(separator: "\r\n")
        let parameters = try parse(body, headers: contentType("multipart/form-data; boundary=\"\(boundary)\""))
        #expect(parameters == ["email": "a@b.c", "note; tricky": "line one\r\nline two é"])
    }

    @Test(arguments: [
        "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated",
        "--b\r\nContent-Type: text/plain\r\n\r\nno name\r\n--b--\r\n",
        "--b\r\nBad Header\r\n\r\nx\r\n--b--\r\n",
    ])
    func brokenMultipartIsMalformed(_ body: String) {
        #expect(throws: ParameterError.self) { try parse(body, headers: contentType("multipart/form-data; boundary=b")) }
    }

    @Test func multipartWithoutBoundaryIsMalformed() {
        #expect(throws: ParameterError.malformed(reason: "multipart body without a valid boundary")) {
            try parse("x", headers: contentType("multipart/form-data"))
        }
    }

    @Test func bodyWinsOverQueryAndQueryIsDecoded() throws {
        let parameters = try parse(#"{"email":"b@b.b","keep":null}"#, target: "/x?email=q%40q.q&keep=1&name=a+b")
        #expect(parameters == ["email": "b@b.b", "keep": "1", "name": "a b"])
        let form = try parse("email=form", target: "/x?email=q&Email=upper", headers: contentType("application/x-www-form-urlencoded"))
        #expect(form["email"] == "form")
        #expect(form["Email"] == "upper")
    }

    @Test func emptyBodyMeansQueryOnly() throws {
        #expect(try parse("", target: "/?a=1", headers: contentType("application/json")) == ["a": "1"])
        let none = try RequestParameters.parse(request: makeRequest("/?a=2"), body: nil, limit: 10)
        #expect(none == ["a": "2"])
    }

    @Test func repeatedKeysKeepTheLast() throws {
        #expect(try parse("b=1&b=2", target: "/?a=1&a=2") == ["a": "2", "b": "2"])
        #expect(try parse(#"{"a":1,"a":2}"#) == ["a": "2"])
    }

    @Test(arguments: [
        (#"{"email":"#, "application/json"),
        (#"{"email":"a"} trailing"#, "application/x-www-form-urlencoded"),
        (#"["not","an","object"]"#, "application/json"),
        ("email=a", "application/json"),
        ("email=%ZZ", "application/x-www-form-urlencoded"),
        ("email=%4", "application/x-www-form-urlencoded"),
        ("email=%C3%28", "application/x-www-form-urlencoded"),
        (#"{"email":"\ud800"}"#, "application/json"),
    ])
    func malformedBodies(_ body: String, _ type: String) {
        #expect {
            try parse(body, headers: contentType(type))
        } throws: { error in
            guard case .malformed = error as? ParameterError else { return false }
            return true
        }
    }

    @Test func invalidUTF8InBodyIsMalformed() {
        var json = ByteBuffer(string: #"{"email":""#)
        json.writeBytes([0xFF, 0xFE])
        json.writeString(#""}"#)
        #expect(throws: ParameterError.self) {
            try RequestParameters.parse(request: makeRequest("/", headers: contentType("application/json")), body: json, limit: 100)
        }
        var form = ByteBuffer(string: "email=")
        form.writeBytes([0xC3])
        #expect(throws: ParameterError.self) {
            try RequestParameters.parse(request: makeRequest("/"), body: form, limit: 100)
        }
    }

    @Test func malformedQueryIsMalformed() {
        #expect(throws: ParameterError.malformed(reason: "invalid percent-encoding")) {
            try parse("", target: "/?email=%G1")
        }
    }

    @Test func otherContentTypesIgnoreTheBody() throws {
        #expect(try parse("email=x", target: "/?a=1", headers: contentType("text/plain")) == ["a": "1"])
    }

    @Test func bodyOverTheLimitIsTooLarge() {
        #expect(throws: ParameterError.tooLarge(limit: 4)) { try parse("email=x", limit: 4) }
    }

    @Test func parameterCountIsLimited() throws {
        let thousand = (0..<1_000).map { "k\($0)=v" }.joined(separator: "&")
        #expect(try parse(thousand).count == 1_000)
        #expect(throws: ParameterError.self) { try parse(thousand + "&one=more") }
        #expect(throws: ParameterError.self) { try parse(thousand, target: "/?q=1") }
        let json = "{" + (0...1_000).map { "\"k\($0)\":1" }.joined(separator: ",") + "}"
        #expect(throws: ParameterError.self) { try parse(json) }
    }

    @Test func helpers() {
        let parameters: RequestParameters = ["AUTH_CODE": "c", "email": "e", "new_password": "p"]
        #expect(parameters.first(of: ["AUTH_KEY", "AUTH_CODE"]) == "c")
        #expect(parameters.removing(["new_password", "AUTH_CODE"]) == ["email": "e"])
        #expect(parameters.names == ["AUTH_CODE", "email", "new_password"])
        #expect(parameters.map(\.name) == ["AUTH_CODE", "email", "new_password"])
    }
}

struct CollectBodyTests {
    @Test func declaredLengthOverTheLimitFailsBeforeReading() async {
        let chunks = CountingChunks(count: 3, size: 10)
        let request = Request(
            head: HTTPRequest(method: .post, scheme: "http", authority: "x", path: "/", headerFields: [.contentLength: "30"]),
            body: RequestBody(asyncSequence: chunks)
        )
        await #expect(throws: ParameterError.tooLarge(limit: 20)) {
            try await RequestParameters.collectBody(request: request, limit: 20, timeout: .seconds(30))
        }
        #expect(chunks.counter.pulled.withLock { $0 } == 0)
    }

    @Test func streamedBodyStopsAsSoonAsTheLimitIsPassed() async {
        let chunks = CountingChunks(count: 100, size: 600)
        let request = Request(
            head: HTTPRequest(method: .post, scheme: "http", authority: "x", path: "/", headerFields: [:]),
            body: RequestBody(asyncSequence: chunks)
        )
        await #expect(throws: ParameterError.tooLarge(limit: 1_000)) {
            try await RequestParameters.collectBody(request: request, limit: 1_000, timeout: .seconds(30))
        }
        #expect(chunks.counter.pulled.withLock { $0 } == 2)
    }

    @Test func bodyAtTheLimitIsCollected() async throws {
        let chunks = CountingChunks(count: 2, size: 500)
        let request = Request(
            head: HTTPRequest(method: .post, scheme: "http", authority: "x", path: "/", headerFields: [:]),
            body: RequestBody(asyncSequence: chunks)
        )
        let body = try await RequestParameters.collectBody(request: request, limit: 1_000, timeout: .seconds(30))
        #expect(body.readableBytes == 1_000)
    }
}
