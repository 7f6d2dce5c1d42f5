import Hummingbird
import ResetPressEngine

/// Server-wide HTTP settings (SPEC §2, §6).
public enum HTTPSettings {
    /// CIDRs whose X-Forwarded-For is believed for the client IP.
    public static let trustedProxies = SettingKey(
        "http.trusted_proxies", default: [String](), kind: .list, description: "CIDRs whose X-Forwarded-For is believed.",
        validate: { list in
            let bad = list.filter { CIDR($0) == nil }
            return bad.isEmpty ? nil : SettingProblem("not a CIDR: \(bad.joined(separator: ", "))")
        })
    /// The largest request body accepted.
    public static let maxBodyBytes = SettingKey(
        "http.max_body_bytes", default: 65536, within: 1024...16_777_216, description: "Largest request body accepted, in bytes.")
    /// Origins that may call the API from a browser.
    public static let corsOrigins = SettingKey(
        "http.cors_origins", default: [String](), kind: .list,
        description: "Origins allowed to call the API from a browser, with credentials (CORS), each as scheme://host[:port].",
        validate: { list in
            let bad = list.filter { !CORSPolicy.isOrigin($0) }
            return bad.isEmpty ? nil : SettingProblem("not an origin (lower-case scheme://host[:port], no path, no *): \(bad.joined(separator: ", "))")
        })
    /// How long a connection may sit idle (no request, or a request's head not finished) before the server
    /// closes it, and how long a request body may take to arrive whole.
    public static let idleTimeoutSeconds = SettingKey(
        "http.idle_timeout_seconds", default: 30, within: 1...3600,
        description: "Seconds an idle or slow-to-send connection is kept open (applies at start), and the longest a request body may take to arrive.")
    /// The REST namespace of the reset routes (read at start).
    public static let namespace = SettingKey(
        "api.namespace", default: "simple-jwt-login/v1", kind: .string, description: "REST namespace of the API routes (applies at start).",
        validate: { $0.isEmpty || $0.hasPrefix("/") || $0.hasSuffix("/") || $0.contains(" ") ? "must look like vendor/v1" : nil })

    /// Registers the HTTP settings.
    public static func register(in settings: SettingsEngine) {
        settings.register(trustedProxies)
        settings.register(maxBodyBytes)
        settings.register(corsOrigins)
        settings.register(idleTimeoutSeconds)
        settings.register(namespace)
    }

    /// The trusted proxies, parsed.
    public static func proxies(_ snapshot: SettingsSnapshot) -> [CIDR] {
        snapshot[trustedProxies].compactMap(CIDR.init)
    }
}

/// A plugin that contributes HTTP routes; the server adds them only while the plugin is active.
public protocol RoutePlugin: Plugin {
    /// Adds the plugin's routes to the site's router.
    func addRoutes(to router: Router<ResetPressRequestContext>, engine: Engine)
}
