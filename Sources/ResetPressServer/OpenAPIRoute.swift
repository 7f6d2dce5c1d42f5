import Foundation
import Hummingbird
import ResetPressHTTP

/// `GET /openapi.json`: the OpenAPI 3.1 document of the public API (`docs/openapi.json` under the site root).
///
/// The file is read once, when the router is built, and must parse as a JSON object; its paths are written
/// for the default namespace `simple-jwt-login/v1` and are moved to the configured `api.namespace`. A missing
/// or unparsable file makes the route answer 404, so a site that does not ship the document still starts.
struct OpenAPIRoute {
    /// Where the document lives, relative to the site root.
    static let relativePath = "docs/openapi.json"
    /// The namespace the committed document is written for.
    static let documentedNamespace = "simple-jwt-login/v1"

    /// The document's bytes as served, or nil when it is not installed.
    let document: ByteBuffer?

    /// Reads `<root>/docs/openapi.json` and rewrites its namespace to `namespace`.
    init(root: URL, namespace: String) {
        document = Self.load(from: root.appendingPathComponent(Self.relativePath), namespace: namespace).map { ByteBuffer(string: $0) }
    }

    /// The route.
    var routes: RouteCollection<ResetPressRequestContext> {
        let routes = RouteCollection(context: ResetPressRequestContext.self)
        let document = document
        routes.get("openapi.json") { _, _ -> Response in
            guard let document else { throw HTTPError(.notFound) }
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: document))
        }
        return routes
    }

    /// The document's text with `/<documented namespace>/` replaced by `/<namespace>/`, or nil when the file
    /// is missing or not a JSON object.
    static func load(from url: URL, namespace: String) -> String? {
        guard let data = try? Data(contentsOf: url),
              (try? JSONSerialization.jsonObject(with: data)) is [String: Any],
              let text = String(data: data, encoding: .utf8)
        else { return nil }
        guard namespace != documentedNamespace else { return text }
        return text.replacingOccurrences(of: "/\(documentedNamespace)/", with: "/\(namespace)/")
    }
}
