public import Hummingbird

/// Sets `ResetPressRequestContext.maxUploadSize` for each request from a live setting
/// (`http.max_body_bytes`), read per request so a settings write applies at once.
public struct BodyLimitMiddleware: RouterMiddleware {
    /// The context this middleware works on.
    public typealias Context = ResetPressRequestContext

    private let limit: @Sendable () -> Int

    /// Creates the middleware; `limit` is called once per request and must return a byte count (values
    /// below 0 count as 0).
    public init(limit: @escaping @Sendable () -> Int) {
        self.limit = limit
    }

    /// Sets the limit on the context and passes the request on.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.maxUploadSize = max(0, limit())
        return try await next(request, context)
    }
}
