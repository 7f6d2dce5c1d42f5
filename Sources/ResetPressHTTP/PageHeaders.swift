public import HTTPTypes

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
}
