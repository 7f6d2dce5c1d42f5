import Hummingbird
import ResetPressEngine
import ResetPressHTTP

/// What a reset route reads once per request and hands to its flow: one settings snapshot, and the
/// client IP and hook context read with it.
struct ResetRouteRequest {
    let settings: SettingsSnapshot
    let clientIP: String
    let hookContext: HookContext

    /// Reads `request` with the settings `service` has now.
    init(_ request: Request, _ context: some ResetPressContext, parameters: RequestParameters, service: ResetPasswordService) {
        settings = service.settings.snapshot
        clientIP = context.clientIP(for: request, trustedProxies: HTTPSettings.proxies(settings))
        hookContext = HookContext.resetRequest(
            method: request.method.rawValue, path: request.uri.path, clientIP: clientIP, parameters: parameters.values, settings: settings,
            acceptLanguage: request.headers[.acceptLanguage])
    }
}
