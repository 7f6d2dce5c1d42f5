public import Hummingbird

/// Sets a ``ResetPressContext``'s `maxUploadSize` and `bodyTimeout` for each request from live
/// settings (`http.max_body_bytes`, `http.idle_timeout_seconds`), read per request so a settings
/// write applies at once. A body that misses its deadline is answered, then its connection closed.
public struct BodyLimitMiddleware<Context: ResetPressContext>: RouterMiddleware {
    private let limit: @Sendable () -> Int
    private let timeoutSeconds: @Sendable () -> Int

    /// Creates the middleware; `limit` and `timeoutSeconds` are called once per request and return a
    /// byte count (below 0 counts as 0) and whole seconds (below 1 count as 1).
    public init(limit: @escaping @Sendable () -> Int, timeoutSeconds: @escaping @Sendable () -> Int) {
        self.limit = limit
        self.timeoutSeconds = timeoutSeconds
    }

    /// Sets the limit and deadline on the context and passes the request on.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.maxUploadSize = max(0, limit())
        context.bodyTimeout = .seconds(max(1, timeoutSeconds()))
        do {
            return try await next(request, context)
        } catch let error as ParameterError {
            // The server reads a request's unread body before the next request, and every dripped
            // byte restarts its idle clock: end the input, so the connection closes after the answer.
            if case .tooSlow = error { context.closeInput() }
            throw error
        }
    }
}
