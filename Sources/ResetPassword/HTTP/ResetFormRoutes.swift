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
/// from `templates/pages/assets/` at `/_resetpassword/assets/<file>`. Every page and message is in the
/// language of the token's user, then of the request (``ResetFormPages/language(userLocale:locale:of:)``).
struct ResetFormRoutes {
    let service: ResetPasswordService

    var pages: ResetFormPages { ResetFormPages(settings: service.settings, root: service.root, templates: service.composer.templates) }

    func add<Routes: RouterMethods>(to router: Routes) where Routes.Context: ResetPressContext {
        router.get("/_resetpassword") { request, _ in try await form(request) }
        router.post("/_resetpassword") { request, context in try await submit(request, context) }
        router.post("/_resetpassword/new-link") { request, context in try await newLink(request, context) }
        router.get("/_resetpassword/assets/:file") { _, context in try pages.asset(context.parameters.get("file") ?? "") }
        addCancel(to: router)
    }

    /// The form, or the "new link" page for a token that is not live; in the language of the token's
    /// user, then the request's (see ``ResetFormPages/language(userLocale:locale:of:)``).
    private func form(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let token = query.get("code") ?? ""
        let language = pages.language(userLocale: try await service.userLocale(linkToken: token), locale: query.get("locale"), of: request)
        guard try await service.isLinkValid(token) else { return try pages.page("link_expired.html", in: language) }
        return try pages.page("password_form.html", in: language, variables: ["CODE": token])
    }

    private func submit(_ request: Request, _ context: some ResetPressContext) async throws -> Response {
        let parameters = try await RequestParameters.read(from: request, context: context)
        let wantsJSON = request.headers[.contentType]?.contains("json") == true || request.headers[.accept]?.contains("application/json") == true
        let scope = ResetRouteRequest(request, context, parameters: parameters, service: service)
        let token = parameters["code"] ?? ""
        // Read before the change spends the token: the answer speaks the user's language too.
        let language = pages.language(userLocale: try await service.userLocale(linkToken: token), locale: parameters["locale"], of: request)
        do {
            _ = try await service.changePassword(
                linkToken: token, newPassword: parameters["new_password"] ?? "", confirmation: parameters["confirm_password"],
                clientIP: scope.clientIP, context: scope.hookContext, settings: scope.settings)
            if wantsJSON {
                let message = language.messages[.changed]
                let json = await service.hooks.applyFilters("response_change_user_password", APIEnvelope.successJSON(message: message), context: scope.hookContext)
                return APIEnvelope.response(json: json, headers: ResetFormPages.pageHeaders)
            }
            return try pages.page("password_changed.html", in: language)
        } catch let failure as ResetFailure {
            let message = language.messages.describe(failure, settings: scope.settings)
            if wantsJSON {
                let english = failure.apiError(change: true)
                let error = APIError(code: english.code, status: english.status, message: message, headers: english.headers)
                var headers = ResetFormPages.pageHeaders
                headers.append(contentsOf: error.headers)
                return APIEnvelope.response(json: APIEnvelope.errorJSON(error), status: error.status, headers: headers)
            }
            switch failure {
            case .passwordRule, .missingNewPassword, .rateLimited:
                var variables = ["CODE": token, "ERROR": message]
                // The message also stands next to the field it is about (the summary links to it).
                switch failure {
                case .passwordRule(PasswordPolicy.mismatchMessage): variables["CONFIRM_PASSWORD_ERROR"] = message
                case .passwordRule, .missingNewPassword: variables["NEW_PASSWORD_ERROR"] = message
                default: break
                }
                return try pages.page("password_form.html", in: language, variables: variables, status: failureStatus(failure))
                    .adding(failure.apiError(change: true).headers)
            default:
                return try pages.page("link_expired.html", in: language, status: .badRequest)
            }
        } catch {
            context.logger.error("reset form failed", metadata: ["error": "\(error)"])
            throw APIError.internalError
        }
    }

    /// Asks for a new link; the answer is the same page whether or not the address is known, so its
    /// language is the request's alone (the hidden `locale` field, then `Accept-Language`): the
    /// address's user is never looked up for it.
    private func newLink(_ request: Request, _ context: some ResetPressContext) async throws -> Response {
        let parameters = try await RequestParameters.read(from: request, context: context)
        let scope = ResetRouteRequest(request, context, parameters: parameters, service: service)
        let language = pages.language(locale: parameters["locale"], of: request)
        let email = parameters["email"] ?? ""
        do {
            _ = try await service.requestReset(
                parameters: ["email": email], clientIP: scope.clientIP, context: scope.hookContext, settings: scope.settings)
            return try pages.page("link_sent.html", in: language)
        } catch let failure as ResetFailure {
            let message = language.messages.describe(failure, settings: scope.settings)
            return try pages.page("link_expired.html", in: language, variables: ["ERROR": message], status: failureStatus(failure))
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
}

extension Response {
    /// The response with `fields` appended (`Retry-After` of a rate-limited page).
    fileprivate func adding(_ fields: HTTPFields) -> Response {
        var response = self
        response.headers.append(contentsOf: fields)
        return response
    }
}
