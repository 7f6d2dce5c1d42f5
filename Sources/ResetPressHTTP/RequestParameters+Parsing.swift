import HTTPTypes
public import Hummingbird

extension RequestParameters {
    /// Reads the parameters of `request`: its query string merged with `body`, the body winning on a clash.
    ///
    /// Body rules, in order:
    /// - empty (or `nil`): query only;
    /// - more than `limit` bytes: `.tooLarge`;
    /// - a JSON object, whatever the Content-Type: JSON (strings as is, numbers as their literal text,
    ///   Booleans as `true`/`false`, `null` as absent, arrays and objects as their compact JSON text);
    /// - starts with `{` or is labelled `application/json` (or `+json`) but is not a JSON object: `.malformed`;
    /// - `multipart/form-data`: its text fields (file parts ignored);
    /// - `application/x-www-form-urlencoded`, or no Content-Type: urlencoded (`+` is a space);
    /// - any other Content-Type: the body is ignored.
    /// Invalid UTF-8, bad percent-encoding and more than `maxCount` parameters are `.malformed`;
    /// a repeated name keeps its last value.
    public static func parse(request: Request, body: ByteBuffer?, limit: Int) throws(ParameterError) -> RequestParameters {
        var parameters = RequestParameters()
        var total = 0
        if let query = request.uri.query {
            try parameters.merge(FormURLDecoder.decode(query.utf8, maxPairs: maxCount), counted: &total)
        }
        guard let body, body.readableBytes > 0 else { return parameters }
        guard body.readableBytes <= limit else { throw .tooLarge(limit: limit) }
        try parameters.merge(bodyPairs(body, contentType: request.headers.firstValue(.contentType)), counted: &total)
        return parameters
    }

    /// Collects the streamed body of `request`, throwing `.tooLarge` before reading when Content-Length
    /// exceeds `limit` and as soon as the bytes read pass `limit` otherwise. A stream that fails midway is
    /// `.malformed`, and one still arriving `timeout` after the collection began is `.tooSlow`: the server's idle
    /// timeout cuts a pause between chunks, and this cuts a body dripped in small chunks, at its first
    /// chunk after the deadline.
    public static func collectBody(request: Request, limit: Int, timeout: Duration) async throws(ParameterError) -> ByteBuffer {
        if let declared = request.headers.firstValue(.contentLength).flatMap({ Int($0) }), declared > limit {
            throw .tooLarge(limit: limit)
        }
        let deadline = ContinuousClock.now + timeout
        var collected = ByteBuffer()
        do {
            for try await chunk in request.body {
                guard collected.readableBytes + chunk.readableBytes <= limit else {
                    throw ParameterError.tooLarge(limit: limit)
                }
                guard ContinuousClock.now < deadline else {
                    throw ParameterError.tooSlow(timeout: timeout)
                }
                var chunk = chunk
                collected.writeBuffer(&chunk)
            }
        } catch let error as ParameterError {
            throw error
        } catch {
            throw .malformed(reason: "the request body could not be read")
        }
        return collected
    }

    /// Collects the body (see `collectBody(request:limit:timeout:)`) and parses the parameters
    /// (see `parse(request:body:limit:)`).
    public static func read(from request: Request, limit: Int, timeout: Duration) async throws(ParameterError) -> RequestParameters {
        let body = try await collectBody(request: request, limit: limit, timeout: timeout)
        return try parse(request: request, body: body, limit: limit)
    }

    private static func bodyPairs(_ body: ByteBuffer, contentType: String?) throws(ParameterError) -> [(String, String?)] {
        let type = contentType.map(HeaderValue.init)
        let looksLikeJSON = body.readableBytesView.first { !isJSONWhitespace($0) } == UInt8(ascii: "{")
        if looksLikeJSON {
            let members: [(String, String?)]? = body.withUnsafeReadableBytes { bytes in
                var parser = JSONParser(bytes: bytes)
                return try? parser.parseParameterObject()
            }
            if let members {
                guard members.count <= maxCount else { throw .malformed(reason: "more than \(maxCount) parameters") }
                return members
            }
            if type?.token != "multipart/form-data" {
                throw .malformed(reason: "the body is not a valid JSON object")
            }
        }
        guard let type else {
            return try FormURLDecoder.decode(body.readableBytesView, maxPairs: maxCount)
        }
        switch type.token {
        case "application/x-www-form-urlencoded":
            return try FormURLDecoder.decode(body.readableBytesView, maxPairs: maxCount)
        case "multipart/form-data":
            return try MultipartFormFields.decode(body, contentType: type, maxPairs: maxCount)
        case let token where token == "application/json" || token.hasSuffix("+json"):
            throw .malformed(reason: "the body is not a JSON object")
        default:
            return []
        }
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
    }
}

private extension HTTPFields {
    /// The first value of `name`, found by a scan: the subscript joins every value of the name, and
    /// builds an index of all the names on its first use (about 4k instructions a request each).
    func firstValue(_ name: HTTPField.Name) -> String? {
        first { $0.name == name }?.value
    }
}
