import Foundation
import HTTPTypes
import Hummingbird
import ResetPressEngine
import ResetPressHTTP
import ResetPressTemplates

/// The reset-form page at `/_resetpassword` (Coronium's link target, SPEC §6, §8).
///
/// `GET ?code=` shows the form (or the "link expired" page); `POST` changes the password by
/// link token: JSON from the page's script is answered in the envelope, a plain form post
/// (no script) with a page. `POST /_resetpassword/new-link` asks for a new link and always
/// answers the same page, whether or not an account uses the address. The page assets come
/// from `templates/pages/assets/` at `/_resetpassword/assets/<file>`.
struct ResetFormRoutes {
    let service: ResetPasswordService

    var engine: Engine { service.engine }
    var pages: ResetFormPages { ResetFormPages(engine: engine, templates: service.composer.templates) }

    func add<Routes: RouterMethods>(to router: Routes) where Routes.Context: ResetPressContext {
        router.get("/_resetpassword") { request, _ in try await form(request) }
        router.post("/_resetpassword") { request, context in try await submit(request, context) }
        router.post("/_resetpassword/new-link") { request, context in try await newLink(request, context) }
        router.get("/_resetpassword/assets/:file") { _, context in try pages.asset(context.parameters.get("file") ?? "") }
    }

    private func form(_ request: Request) async throws -> Response {
        let token = request.uri.queryParameters.get("code") ?? ""
        guard try await service.isLinkValid(token) else { return try pages.page("link_expired.html") }
        return try pages.page("password_form.html", variables: ["CODE": token])
    }

    private func submit(_ request: Request, _ context: some ResetPressContext) async throws -> Response {
        let parameters = try await RequestParameters.read(from: request, context: context)
        let wantsJSON = request.headers[.contentType]?.contains("json") == true || request.headers[.accept]?.contains("application/json") == true
        let (clientIP, hookContext) = requestContext(request, context, parameters: parameters)
        let token = parameters["code"] ?? ""
        do {
            let message = try await service.changePassword(
                linkToken: token, newPassword: parameters["new_password"] ?? "", confirmation: parameters["confirm_password"],
                clientIP: clientIP, context: hookContext)
            if wantsJSON {
                let json = await engine.hooks.applyFilters("response_change_user_password", APIEnvelope.successJSON(message: message), context: hookContext)
                return APIEnvelope.response(json: json, headers: ResetFormPages.pageHeaders)
            }
            return try pages.page("password_changed.html")
        } catch let failure as ResetFailure {
            if wantsJSON {
                let error = failure.apiError(change: true)
                var headers = ResetFormPages.pageHeaders
                headers.append(contentsOf: error.headers)
                return APIEnvelope.response(json: APIEnvelope.errorJSON(error), status: error.status, headers: headers)
            }
            switch failure {
            case .passwordRule, .missingNewPassword, .rateLimited:
                var variables = ["CODE": token, "ERROR": failure.description]
                // The message also stands next to the field it is about (the summary links to it).
                switch failure {
                case .passwordRule(PasswordPolicy.mismatchMessage): variables["CONFIRM_PASSWORD_ERROR"] = failure.description
                case .passwordRule, .missingNewPassword: variables["NEW_PASSWORD_ERROR"] = failure.description
                default: break
                }
                return try pages.page("password_form.html", variables: variables, status: failureStatus(failure))
                    .adding(failure.apiError(change: true).headers)
            default:
                return try pages.page("link_expired.html", status: .badRequest)
            }
        } catch {
            context.logger.error("reset form failed", metadata: ["error": "\(error)"])
            throw APIError.internalError
        }
    }

    /// Asks for a new link; the answer is the same page whether or not the address is known.
    private func newLink(_ request: Request, _ context: some ResetPressContext) async throws -> Response {
        let parameters = try await RequestParameters.read(from: request, context: context)
        let (clientIP, hookContext) = requestContext(request, context, parameters: parameters)
        let email = parameters["email"] ?? ""
        do {
            _ = try await service.requestReset(parameters: ["email": email], clientIP: clientIP, context: hookContext)
            return try pages.page("link_sent.html")
        } catch let failure as ResetFailure {
            let message: String
            switch failure {
            case .missingEmail, .invalidEmail: message = "Enter the email address of your account."
            case .authCodeRequired, .invalidAuthCode: message = "New links are requested through the site that sent the first one."
            case .disabled: message = "Password resets are turned off on this site."
            default: message = failure.description
            }
            return try pages.page("link_expired.html", variables: ["ERROR": message], status: failureStatus(failure))
                .adding(failure.apiError(change: false).headers)
        } catch {
            context.logger.error("new-link request failed", metadata: ["error": "\(error)"])
            throw APIError.internalError
        }
    }

    private func failureStatus(_ failure: ResetFailure) -> HTTPResponse.Status {
        if case .rateLimited = failure { return .tooManyRequests }
        return .badRequest
    }

    /// The client IP and the hook context of a page request.
    private func requestContext(_ request: Request, _ context: some ResetPressContext, parameters: RequestParameters) -> (String, HookContext) {
        let settings = engine.settings.snapshot
        let clientIP = context.clientIP(for: request, trustedProxies: HTTPSettings.proxies(settings))
        let hookContext = HookContext.resetRequest(
            method: "POST", path: request.uri.path, clientIP: clientIP, parameters: parameters.values, settings: settings,
            acceptLanguage: request.headers[.acceptLanguage])
        return (clientIP, hookContext)
    }
}

extension Response {
    /// The response with `fields` appended (`Retry-After` of a rate-limited page).
    fileprivate func adding(_ fields: HTTPFields) -> Response {
        var response = self
        response.headers.append(contentsOf: fields)
        return response
    }
}
