import Foundation
import Hummingbird
import Logging
import ResetPressEngine
import ResetPressHTTP

/// The SJL-compatible reset endpoint (SPEC §6) at `/<ns>/user/reset_password` and
/// `/<ns>/users/reset_password`; `/wp-json/...` and `?rest_route=` reach it through the
/// server's rewrite. The server answers `OPTIONS` (and CORS preflights) and `405` for other methods.
struct ResetPasswordRoutes {
    let service: ResetPasswordService

    func add<Routes: RouterMethods>(to router: Routes) where Routes.Context: ResetPressContext {
        let namespace = service.settings[HTTPSettings.namespace]
        for collection in ["user", "users"] {
            let path = RouterPath("/\(namespace)/\(collection)/reset_password")
            router.post(path) { request, context in try await handle(request, context, change: nil) }
            router.put(path) { request, context in try await handle(request, context, change: true) }
        }
    }

    /// Reads the parameters, runs the flow, and answers in the envelope.
    /// `change` is nil for POST: a POST with `code` and `new_password` is a change (SJL docs' example).
    private func handle(_ request: Request, _ context: some ResetPressContext, change: Bool?) async throws -> Response {
        let parameters = try await RequestParameters.read(from: request, context: context)
        let isChange = change ?? (parameters.contains("code") && parameters.contains("new_password"))
        let scope = ResetRouteRequest(request, context, parameters: parameters, service: service)
        do {
            let message = isChange
                ? try await service.changePassword(
                    parameters: parameters.values, clientIP: scope.clientIP, context: scope.hookContext, settings: scope.settings)
                : try await service.requestReset(
                    parameters: parameters.values, clientIP: scope.clientIP, context: scope.hookContext, settings: scope.settings)
            let filter = isChange ? "response_change_user_password" : "response_send_reset_password"
            let json = await service.hooks.applyFilters(filter, APIEnvelope.successJSON(message: message), context: scope.hookContext)
            return APIEnvelope.response(json: json)
        } catch let failure as ResetFailure {
            throw failure.apiError(change: isChange)
        } catch {
            context.logger.error("reset request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            throw APIError.internalError
        }
    }
}

extension ResetFailure {
    /// The SJL error this failure answers with; some codes differ between request and change.
    func apiError(change: Bool) -> APIError {
        switch self {
        case .disabled: .resetNotAllowed
        case .authCodeRequired: .authCodeRequired
        case .invalidAuthCode(let key): .invalidAuthCode(key: key)
        case .missingEmail: change ? .missingEmailChange : .missingEmail
        case .invalidEmail: change ? .invalidEmailChange : .invalidEmailRequest
        case .wrongUser: .wrongUser
        case .missingCode: .missingCode
        case .missingNewPassword: .missingNewPassword
        case .invalidBase64: .invalidBase64
        case .invalidCode: .invalidCode
        case .passwordRule(let message): .passwordRule(message)
        case .rateLimited(let retryAfter): .tooManyRequests(retryAfter: retryAfter)
        }
    }
}
