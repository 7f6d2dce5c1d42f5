import HTTPTypes
import Hummingbird
import ResetPressHTTP

/// Answers, on every routed path, the methods its routes do not serve (RFC 9110 §15.5.6, §9.3.7).
///
/// Hummingbird's router answers a known path asked with an unrouted method `404`, as if the path did not
/// exist. Added after every other route, this gives each path `OPTIONS` as `204` with `Allow` (which the
/// CORS middleware turns into a preflight answer on the API routes) and every other method `405` in the
/// error envelope (57) with the same `Allow`. `HEAD` is left alone where `GET` is routed.
enum MethodFallbackRoutes {
    /// The methods answered: those Schemathesis and browsers send, `QUERY` included.
    static let methods: [HTTPRequest.Method] = [
        .get, .head, .post, .put, .delete, .patch, .options, .trace, HTTPRequest.Method("QUERY")!,
    ]

    /// Adds the fallbacks to `router` for each path it routes so far.
    static func add(to router: Router<ResetPressRequestContext>) {
        var served: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]
        for route in router.routes {
            served[route.path.description, default: (route.path, [])].methods.insert(route.method)
        }
        for (path, routed) in served.values {
            let allow = allowHeader(for: routed)
            for method in methods where !routed.contains(method) && !(method == .head && routed.contains(.get)) {
                if method == .options {
                    router.on(path, method: .options) { _, _ in Response(status: .noContent, headers: [.allow: allow]) }
                } else {
                    router.on(path, method: method) { _, _ -> Response in
                        var error = APIError.methodNotAllowed
                        error.headers[.allow] = allow
                        throw error
                    }
                }
            }
        }
    }

    /// `Allow` for a path routing `methods`: those in `methods` order, `HEAD` with `GET`, then `OPTIONS`.
    static func allowHeader(for routed: Set<HTTPRequest.Method>) -> String {
        let listed = methods.filter { $0 == .options || routed.contains($0) || ($0 == .head && routed.contains(.get)) }
        return listed.map(\.rawValue).joined(separator: ", ")
    }
}
