public import Hummingbird

/// Applies a `CORSPolicy` to the routes it covers: decorates every response, including the responses of
/// thrown `HTTPResponseError`s (such as `APIError`) and preflight answers.
///
/// Add it to the `Router` before the routes. A preflight is routed like any request, so it needs an
/// `OPTIONS` route on the path (the server adds one to every path); a path with none answers `404` without
/// CORS headers, and the browser blocks the call. The matched route is read from the context's
/// `endpointPath`, which the router sets before running the middleware of a route.
public struct CORSPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The policy applied.
    public let policy: CORSPolicy

    /// Creates the middleware for `policy`.
    public init(_ policy: CORSPolicy) {
        self.policy = policy
    }

    /// Runs `next` and, on a covered route, adds the CORS headers to its response or error response.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard policy.covers(route: context.endpointPath) else {
            return try await next(request, context)
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        policy.decorate(&response, for: request)
        return response
    }
}
