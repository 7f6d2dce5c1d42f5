import Hummingbird
import ResetPressHTTP

/// `GET /healthz`: 200 while the server can answer.
struct HealthRoutes {
    var routes: RouteCollection<ResetPressRequestContext> {
        let routes = RouteCollection(context: ResetPressRequestContext.self)
        routes.get("healthz") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        return routes
    }
}
