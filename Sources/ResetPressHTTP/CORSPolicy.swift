import HTTPTypes
public import Hummingbird

/// Cross-origin rules for the API routes (SPEC §6, `http.cors_origins`).
///
/// The origin list is a live setting, so it is read through `origins` on every request. Only routes the
/// policy `covers` (the API routes; never the admin or the form pages) take part. A request to such a route
/// whose `Origin` is in the list (exact, case-sensitive match; `*` and `null` never match) gets
/// `Access-Control-Allow-Origin: <that origin>` and `Access-Control-Allow-Credentials: true`, as WordPress's
/// REST API answers, so the SJL docs' JavaScript (`xhr.withCredentials = true`) is let through. The origin
/// is always echoed, never `*`, which browsers refuse beside credentials. An `OPTIONS` request carrying
/// `Origin` is a preflight: the route's own `OPTIONS` answer (`204` with `Allow`) gains the allowed methods
/// (its `Allow`), headers and max age. Any other origin gets no `Access-Control-*` header, so the browser
/// blocks the call. Every response of a covered route to a request with `Origin` gets `Vary: Origin`.
/// Hummingbird's `CORSMiddleware` takes a fixed list and covers every route, hence this type.
public struct CORSPolicy: Sendable {
    /// Methods a preflight allows when the route's answer names none in `Allow`.
    public static let allowedMethods = "POST, PUT, OPTIONS"
    /// Request headers a preflight allows: a fixed list, not an echo of `Access-Control-Request-Headers`.
    ///
    /// `Content-Type` (the docs' `application/json`), `Authorization` (an SJL JWT as a bearer token),
    /// `X-Requested-With` (jQuery-style clients), `X-WP-Nonce` (WordPress's `apiFetch`) and `Accept`
    /// (safelisted only while short and plain). A preflight asking for anything else is answered with this
    /// list all the same, and the browser refuses the call: the API reads parameters, never other headers.
    public static let allowedHeaders = "Accept, Authorization, Content-Type, X-Requested-With, X-WP-Nonce"

    private let origins: @Sendable () -> [String]
    private let covers: @Sendable (String) -> Bool
    /// Seconds a browser may cache a preflight answer (`Access-Control-Max-Age`).
    public let maxAge: Int

    /// Creates a policy for the routes whose path pattern `covers` accepts (all by default), reading the
    /// allowed origins from `origins` on each request.
    public init(
        maxAge: Int = 600, covers: @escaping @Sendable (String) -> Bool = { _ in true }, origins: @escaping @Sendable () -> [String]
    ) {
        self.origins = origins
        self.covers = covers
        self.maxAge = maxAge
    }

    /// Whether the route matched for a request (its path pattern; nil when none matched) takes part.
    public func covers(route: String?) -> Bool {
        route.map(covers) ?? false
    }

    /// The request's `Origin` when it is listed (`null` and `*` never are), else `nil`.
    public func allowedOrigin(for request: Request) -> String? {
        guard let origin = request.headers[.origin], origin != "null", origin != "*" else { return nil }
        return origins().contains(origin) ? origin : nil
    }

    /// Whether `request` is a CORS preflight (`OPTIONS` with an `Origin`).
    public func isPreflight(_ request: Request) -> Bool {
        request.method == .options && request.headers[.origin] != nil
    }

    /// Adds `Vary: Origin` and, for a listed origin, `Access-Control-Allow-Origin` and
    /// `Access-Control-Allow-Credentials` to `response`; to a successful preflight answer, also the allowed
    /// methods, headers and max age.
    public func decorate(_ response: inout Response, for request: Request) {
        guard request.headers[.origin] != nil else { return }
        let varies = response.headers[values: .vary].flatMap { $0.split(separator: ",") }
        if !varies.contains(where: { String($0).trimmingWhitespace().lowercased() == "origin" }) {
            response.headers.append(HTTPField(name: .vary, value: "Origin"))
        }
        guard let origin = allowedOrigin(for: request) else { return }
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlAllowCredentials] = "true"
        if isPreflight(request), (200..<300).contains(response.status.code) {
            response.headers[.accessControlAllowMethods] = response.headers[.allow] ?? Self.allowedMethods
            response.headers[.accessControlAllowHeaders] = Self.allowedHeaders
            response.headers[.accessControlMaxAge] = String(maxAge)
        }
    }
}

extension CORSPolicy {
    /// Whether `text` is an origin as a browser sends it: `http` or `https`, `://`, a lower-case host and an
    /// optional port, nothing after. `*` is not one: every listed origin is named.
    public static func isOrigin(_ text: String) -> Bool {
        let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "http" || parts[0] == "https" else { return false }
        let authority = parts[1]
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.:[]")
        guard !authority.isEmpty, authority.allSatisfy({ allowed.contains($0) }), !authority.hasPrefix(":") else { return false }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            let port = authority[authority.index(after: colon)...]
            return port.allSatisfy { $0.isASCII && $0.isNumber } && UInt16(port) != nil
        }
        return true
    }
}
