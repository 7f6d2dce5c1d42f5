public import Foundation
public import HTTPTypes
public import Hummingbird

/// The headers every HTML page of the site carries (reset form, admin).
public enum PageHeaders {
    /// No caching, no referrer, the given Content-Security-Policy, no sniffing, no framing.
    public static func secure(contentSecurityPolicy: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return headers
    }

    /// A page asset's answer: `data` as `type`, revalidated on each use and never sniffed.
    public static func asset(_ data: Data, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
