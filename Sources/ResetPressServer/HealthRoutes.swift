import Hummingbird
import ResetPressHTTP

/// `GET /healthz`: 200 while the server can answer; `GET /metrics`: Prometheus text.
struct HealthRoutes {
    let metrics: SiteMetrics?

    var routes: RouteCollection<ResetPressRequestContext> {
        let routes = RouteCollection(context: ResetPressRequestContext.self)
        routes.get("healthz") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        if let metrics {
            routes.get("metrics") { _, _ -> Response in
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
                headers[.cacheControl] = "no-store"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: await metrics.render())))
            }
        }
        return routes
    }
}
