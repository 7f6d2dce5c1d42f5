import HTTPTypes
import Hummingbird
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage

/// A refused admin API call, answered as `{"success": false, "data": {"message": M, "errorCode": S,
/// "error_code": S, "errors": [{"key": K, "message": M, "code": C}]}}` where S is the HTTP status.
struct AdminAPIError: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    /// Per-setting messages of a refused write or preview.
    var errors: [SettingsMessage] = []
    var retryAfter: Int?

    static let unauthorized = AdminAPIError(
        status: .unauthorized,
        message: "Sign in to the admin, or send Authorization: Bearer <API token> (`resetpress admin tokens add`); the token may be revoked or expired.")
    static let passwordBearerOff = AdminAPIError(
        status: .unauthorized,
        message: "The admin password is not accepted as a bearer token: create one for the script with "
            + "`resetpress admin tokens add --name NAME --scope read,settings` and send that instead (admin.api_password_bearer turns the old way back on).")
    static let csrf = AdminAPIError(
        status: .forbidden, message: "Missing or wrong X-CSRF-Token header (the token is in the admin page's csrf-token meta tag).")
    static let notFound = AdminAPIError(status: .notFound, message: "Not found.")

    /// An API token without the scope the route needs.
    static func forbidden(scope: APITokenScope) -> AdminAPIError {
        AdminAPIError(status: .forbidden, message: "This API token lacks the '\(scope.rawValue)' scope; add a token that has it.")
    }

    static func badRequest(_ message: String, errors: [SettingsMessage] = []) -> AdminAPIError {
        AdminAPIError(status: .badRequest, message: message, errors: errors)
    }

    static func throttled(retryAfter: Int) -> AdminAPIError {
        AdminAPIError(status: .tooManyRequests, message: "Too many wrong admin passwords. Please try again later.", retryAfter: retryAfter)
    }

    /// The JSON body of the error.
    var json: JSONValue {
        let code = JSONValue.number(Double(status.code))
        let list = JSONValue.array(errors.map { message in
            .object([("key", .string(message.key)), ("message", .string(message.message)), ("code", message.code.map { .number(Double($0)) } ?? .null)])
        })
        return ["success": false, "data": .object([("message", .string(message)), ("errorCode", code), ("error_code", code), ("errors", list)])]
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = AdminPage.securityHeaders
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return APIEnvelope.response(json: json, status: status, headers: headers)
    }
}
