public import HTTPTypes
public import Hummingbird

/// The two JSON response shapes of SPEC §6 (SJL v3 and v4 at once), as `JSONValue`s for response filters
/// and as `Response`s with `Content-Type: application/json; charset=utf-8`.
///
/// Success: `{"success":true,"message":M,"data":{"message":M,...extra}}`.
/// Error: `{"success":false,"data":{"message":M,"errorCode":N,"error_code":N}}`.
public enum APIEnvelope {
    /// The Content-Type of every envelope.
    public static let contentType = "application/json; charset=utf-8"

    /// The success shape; `extra` members are appended to `data` (one named `message` replaces it).
    public static func successJSON(message: String, data extra: [(String, JSONValue)] = []) -> JSONValue {
        var data: JSONValue = ["message": .string(message)]
        for (key, value) in extra {
            data = data.setting(key, to: value)
        }
        return ["success": true, "message": .string(message), "data": data]
    }

    /// The error shape for `error`.
    public static func errorJSON(_ error: APIError) -> JSONValue {
        let code = JSONValue.number(Double(error.code))
        return ["success": false, "data": ["message": .string(error.message), "errorCode": code, "error_code": code]]
    }

    /// A success response (200 unless `status` says otherwise).
    public static func success(
        message: String,
        data extra: [(String, JSONValue)] = [],
        status: HTTPResponse.Status = .ok
    ) -> Response {
        response(json: successJSON(message: message, data: extra), status: status)
    }

    /// The error response for `error`: its status, its headers, the error shape.
    public static func error(_ error: APIError) -> Response {
        response(json: errorJSON(error), status: error.status, headers: error.headers)
    }

    /// A response carrying any JSON value (a filtered envelope), with the envelope Content-Type.
    public static func response(json: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        let buffer = ByteBuffer(string: json.serialized())
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: buffer))
    }
}
