public import HTTPTypes
public import Hummingbird

/// An API failure as SJL reports it: an `errorCode`, an HTTP status and a fixed message (SPEC §6).
///
/// Throwing one from a route renders the error envelope (`APIEnvelope.error`) with `headers` added.
public struct APIError: Error, Sendable, Equatable, HTTPResponseError, CustomStringConvertible {
    /// SJL's numeric error code (`errorCode` and `error_code` in the body).
    public let code: Int
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// The message shown to the client; never carries internals.
    public let message: String
    /// Extra response headers (`Retry-After` on 429, `Allow` on 405).
    public var headers: HTTPFields

    /// Creates an error.
    public init(code: Int, status: HTTPResponse.Status, message: String, headers: HTTPFields = [:]) {
        self.code = code
        self.status = status
        self.message = message
        self.headers = headers
    }

    /// The error envelope with `headers` added.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        APIEnvelope.error(self)
    }

    /// "errorCode N (status): message".
    public var description: String { "errorCode \(code) (\(status.code)): \(message)" }
}

extension APIError {
    /// 56/400: resetting passwords is disabled.
    public static let resetNotAllowed = APIError(code: 56, status: .badRequest, message: "Reset Password is not allowed.")
    /// 94/401: the auth-code gate is on and no code was given.
    public static let authCodeRequired = APIError(code: 94, status: .unauthorized, message: "Auth Code is required.")
    /// 27/401: the auth code is wrong or expired; `key` is the parameter name it was expected in.
    public static func invalidAuthCode(key: String) -> APIError {
        APIError(code: 27, status: .unauthorized, message: "Invalid Auth Code ( \(key) ) provided.")
    }
    /// 63/400: a reset request (POST) without an email.
    public static let missingEmail = APIError(code: 63, status: .badRequest, message: "Missing email parameter.")
    /// 96/400: a reset request (POST) with an invalid email.
    public static let invalidEmailRequest = APIError(code: 96, status: .badRequest, message: "Invalid email parameter.")
    /// 95/400: a password change (PUT) with an invalid email.
    public static let invalidEmailChange = APIError(code: 95, status: .badRequest, message: "Invalid email parameter.")
    /// 64/400: unknown user, only when `reveal_unknown_users` is on.
    public static let wrongUser = APIError(code: 64, status: .badRequest, message: "Wrong user.")
    /// 59/400: a password change (PUT) without an email.
    public static let missingEmailChange = APIError(code: 59, status: .badRequest, message: "Missing email parameter.")
    /// 61/400: a password change without `new_password`.
    public static let missingNewPassword = APIError(code: 61, status: .badRequest, message: "Missing new_password parameter.")
    /// 60/400: a password change without `code`.
    public static let missingCode = APIError(code: 60, status: .badRequest, message: "Missing code parameter.")
    /// 63/400: `new_password` is not base64 while the base64 option is on.
    public static let invalidBase64 = APIError(code: 63, status: .badRequest, message: "Parameter new_password does not contain a valid base64 text.")
    /// 62/400: any failure of the code or link token (no oracle for which part was wrong).
    public static let invalidCode = APIError(code: 62, status: .badRequest, message: "Invalid code provided.")
    /// 121/400: the new password breaks a rule; `message` names it.
    public static func passwordRule(_ message: String) -> APIError {
        APIError(code: 121, status: .badRequest, message: message)
    }
    /// 123/400: the body is bad JSON or badly encoded.
    public static let malformedBody = APIError(code: 123, status: .badRequest, message: "Malformed request body.")
    /// 124/413: the body is over `http.max_body_bytes`.
    public static let bodyTooLarge = APIError(code: 124, status: .contentTooLarge, message: "Request body too large.")
    /// 57/405: the route does not take this method.
    public static let methodNotAllowed = APIError(code: 57, status: .methodNotAllowed, message: "Route called with invalid request method.")
    /// 57/405 with an `Allow` header listing `methods`.
    public static func methodNotAllowed(allowing methods: [HTTPRequest.Method]) -> APIError {
        var error = methodNotAllowed
        error.headers[.allow] = methods.map(\.rawValue).joined(separator: ", ")
        return error
    }
    /// 120/429: a rate limit was hit.
    public static let tooManyRequests = APIError(
        code: 120,
        status: .tooManyRequests,
        message: "Too many requests. Please try again later."
    )
    /// 120/429 with `Retry-After: seconds` (at least 1).
    public static func tooManyRequests(retryAfter seconds: Int) -> APIError {
        var error = tooManyRequests
        error.headers[.retryAfter] = String(max(1, seconds))
        return error
    }
    /// 1/500: anything unexpected; the details go to the log, never to the client.
    public static let internalError = APIError(code: 1, status: .internalServerError, message: "Internal error.")
}
