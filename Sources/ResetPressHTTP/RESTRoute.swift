public import Hummingbird

/// WordPress's two other spellings of a REST route, mapped onto the plain path the router knows:
/// `/?rest_route=/X&a=1` (also `/index.php?rest_route=...`) becomes `/X?a=1`, and `/wp-json/X` becomes `/X`.
///
/// The rewrite must happen **before routing**: Hummingbird's `Router` resolves the path in its trie first and
/// only then runs router middleware, so a `Router` middleware sees the path too late. Wrap the built
/// responder instead — `Application(responder: router.buildResponder().rewritingRESTRoutes())` — or, with
/// HummingbirdRouter's `RouterBuilder` (whose middleware runs before its routes are matched), add
/// `RESTRouteMiddleware` first.
public enum RESTRoute {
    /// The `rest_route` query item name.
    public static let queryItem = "rest_route"
    /// The `wp-json` path prefix.
    public static let pathPrefix = "/wp-json"

    /// `request` with its path rewritten, or `request` itself when neither form applies. The method, headers
    /// and body are kept; other query items keep their original encoding.
    public static func rewrite(_ request: Request) -> Request {
        guard let target = rewrittenTarget(path: request.uri.path, query: request.uri.query) else { return request }
        var head = request.head
        head.path = target
        return Request(head: head, body: request.body)
    }

    /// The new request target (path and query) for `path` and raw `query`, or `nil` when nothing changes.
    ///
    /// `rest_route` is honoured only on `/` and `/index.php`; its value is percent-decoded, the last one wins,
    /// a missing leading `/` is added, and a value that does not decode or holds `?`, `#` or whitespace is
    /// left alone (the request then reaches `/` unchanged).
    public static func rewrittenTarget(path: String, query: String?) -> String? {
        if path == pathPrefix || path.hasPrefix(pathPrefix + "/") {
            let rest = String(path.dropFirst(pathPrefix.count))
            return (rest.isEmpty ? "/" : rest) + (query.map { "?" + $0 } ?? "")
        }
        guard path == "/" || path == "/index.php", let query else { return nil }
        var route: String?
        var others: [Substring] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let name = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            if (try? FormURLDecoder.decodeComponent(name.utf8)) == queryItem {
                let value = item.dropFirst(name.count + 1)
                guard let decoded = try? FormURLDecoder.decodeComponent(value.utf8) else { return nil }
                route = decoded
            } else {
                others.append(item)
            }
        }
        guard var route, !route.contains(where: { $0 == "?" || $0 == "#" || $0.isWhitespace }) else { return nil }
        if !route.hasPrefix("/") { route = "/" + route }
        return others.isEmpty ? route : route + "?" + others.joined(separator: "&")
    }
}
