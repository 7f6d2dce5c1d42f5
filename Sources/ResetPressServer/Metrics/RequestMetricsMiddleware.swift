import Hummingbird
import ResetPressHTTP

/// Records every request's route, method, status and duration in `SiteMetrics`.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = ResetPressRequestContext

    let metrics: SiteMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.record(route: Self.route(context), method: request.method.rawValue, status: response.status.code, duration: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.record(route: Self.route(context), method: request.method.rawValue, status: status, duration: ContinuousClock.now - start)
            throw error
        }
    }

    /// The matched route pattern (bounded cardinality), or `unmatched`.
    static func route(_ context: Context) -> String {
        context.endpointPath ?? "unmatched"
    }
}
