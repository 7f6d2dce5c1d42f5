public import Hummingbird

/// Applies `RESTRoute.rewrite` before passing the request on; for middleware chains that run before route
/// matching (HummingbirdRouter's `RouterBuilder`). On a trie `Router`, use `RESTRouteResponder` instead.
public struct RESTRouteMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Rewrites the request's path, then calls `next`.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try await next(RESTRoute.rewrite(request), context)
    }
}

/// A responder that applies `RESTRoute.rewrite` and then asks the wrapped responder (a built `Router`).
public struct RESTRouteResponder<Wrapped: HTTPResponder>: HTTPResponder {
    /// The wrapped responder's context.
    public typealias Context = Wrapped.Context

    private let wrapped: Wrapped

    /// Wraps `responder`.
    public init(_ responder: Wrapped) {
        self.wrapped = responder
    }

    /// Rewrites the path, then responds with the wrapped responder.
    public func respond(to request: Request, context: Context) async throws -> Response {
        try await wrapped.respond(to: RESTRoute.rewrite(request), context: context)
    }
}

extension HTTPResponder {
    /// This responder behind `RESTRouteResponder`, so `/wp-json/...` and `/?rest_route=...` reach its routes.
    public func rewritingRESTRoutes() -> RESTRouteResponder<Self> {
        RESTRouteResponder(self)
    }
}
