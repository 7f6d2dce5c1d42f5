public import HTTPTypes
public import Hummingbird

/// Why the request's parameters could not be read.
///
/// Thrown from a route it renders as its `apiError` envelope (123/400 or 124/413).
/// `BodyLimitMiddleware` also closes the connection after a `.tooSlow` answer.
public enum ParameterError: Error, Sendable, Equatable, CustomStringConvertible, HTTPResponseError {
    /// The query string or body is not valid for its format (bad JSON, bad percent-encoding, invalid UTF-8,
    /// more than `RequestParameters.maxCount` parameters, broken multipart); `reason` says which.
    case malformed(reason: String)
    /// The body is larger than `limit` bytes.
    case tooLarge(limit: Int)
    /// The body was still arriving `timeout` after its collection began (a client dripping it).
    case tooSlow(timeout: Duration)

    /// The API error to answer with: `.malformedBody` (123/400) or `.bodyTooLarge` (124/413).
    public var apiError: APIError {
        switch self {
        case .malformed, .tooSlow: return .malformedBody
        case .tooLarge: return .bodyTooLarge
        }
    }

    /// A message for logs; the client only ever sees the API error's fixed message.
    public var description: String {
        switch self {
        case .malformed(let reason): return "Malformed request parameters: \(reason)"
        case .tooLarge(let limit): return "Request body larger than \(limit) bytes"
        case .tooSlow(let timeout): return "Request body still arriving after \(timeout)"
        }
    }

    /// The status of `apiError`.
    public var status: HTTPResponse.Status { apiError.status }

    /// The envelope of `apiError`.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        APIEnvelope.error(apiError)
    }
}
