import HTTPTypes
public import Hummingbird

/// Cross-origin rules for the API routes (SPEC §6, `http.cors_origins`).
///
/// The origin list is a live setting, so it is read through `origins` on every request. A request whose
/// `Origin` is in the list (exact, case-sensitive match) gets `Access-Control-Allow-Origin: <origin>`; an
/// `OPTIONS` request carrying `Origin` is a preflight and is answered `204` with the allowed methods,
/// headers and max age. Any other origin gets no `Access-Control-*` header (its preflight is still a bare
/// `204`, so the browser blocks the call). Every response to a request with `Origin` gets `Vary: Origin`.
/// Hummingbird's `CORSMiddleware` takes a fixed list, hence this type.
public struct CORSPolicy: Sendable {
    /// Methods a preflight allows.
    public static let allowedMethods = "GET, POST, PUT, OPTIONS"
    /// Request headers a preflight allows.
    public static let allowedHeaders = "Content-Type, Authorization"

    private let origins: @Sendable () -> [String]
    /// Seconds a browser may cache a preflight answer (`Access-Control-Max-Age`).
    public let maxAge: Int

    /// Creates a policy reading the allowed origins from `origins` on each request.
    public init(maxAge: Int = 600, origins: @escaping @Sendable () -> [String]) {
        self.origins = origins
        self.maxAge = maxAge
    }

    /// The request's `Origin` when it is listed (`null` never is), else `nil`.
    public func allowedOrigin(for request: Request) -> String? {
        guard let origin = request.headers[.origin], origin != "null" else { return nil }
        return origins().contains(origin) ? origin : nil
    }

    /// Whether `request` is a CORS preflight (`OPTIONS` with an `Origin`).
    public func isPreflight(_ request: Request) -> Bool {
        request.method == .options && request.headers[.origin] != nil
    }

    /// The `204` answer to a preflight: CORS headers for a listed origin, only `Allow` and `Vary` otherwise.
    public func preflightResponse(for request: Request) -> Response {
        var headers: HTTPFields = [.allow: Self.allowedMethods, .vary: "Origin"]
        if let origin = allowedOrigin(for: request) {
            headers[.accessControlAllowOrigin] = origin
            headers[.accessControlAllowMethods] = Self.allowedMethods
            headers[.accessControlAllowHeaders] = Self.allowedHeaders
            headers[.accessControlMaxAge] = String(maxAge)
        }
        return Response(status: .noContent, headers: headers)
    }

    /// Adds `Vary: Origin` and, for a listed origin, `Access-Control-Allow-Origin` to `response`.
    public func decorate(_ response: inout Response, for request: Request) {
        guard request.headers[.origin] != nil else { return }
        let varies = response.headers[values: .vary].flatMap { $0.split(separator: ",") }
        if !varies.contains(where: { String($0).trimmingWhitespace().lowercased() == "origin" }) {
            response.headers.append(HTTPField(name: .vary, value: "Origin"))
        }
        if let origin = allowedOrigin(for: request) {
            response.headers[.accessControlAllowOrigin] = origin
        }
    }
}
