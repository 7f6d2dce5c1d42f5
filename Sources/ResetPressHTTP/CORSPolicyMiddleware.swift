public import Hummingbird

/// Applies a `CORSPolicy`: answers preflights itself and decorates every other response, including the
/// responses of thrown `HTTPResponseError`s (such as `APIError`).
///
/// Add it to the `Router` before the routes. Preflights for a path with no `OPTIONS` route still reach it,
/// because Hummingbird sends unmatched methods to the not-found responder, which runs the router's
/// middleware; a `RouterGroup`'s middleware does not see them.
public struct CORSPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The policy applied.
    public let policy: CORSPolicy

    /// Creates the middleware for `policy`.
    public init(_ policy: CORSPolicy) {
        self.policy = policy
    }

    /// Answers a preflight, or runs `next` and adds the CORS headers to its response or error response.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if policy.isPreflight(request) {
            return policy.preflightResponse(for: request)
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
