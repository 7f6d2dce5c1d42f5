import Hummingbird
import ResetPressStorage

/// `GET /healthz`: 200 while the server can answer.
struct HealthRoutes {
    let database: SQLiteDatabase

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("healthz") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        return routes
    }
}
