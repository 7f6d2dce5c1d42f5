import Foundation
import HTTPTypes
import Hummingbird
import ResetPressEngine
import ResetPressHTTP

/// The "that wasn't me" page at `/_resetpassword/cancel` (issue 14, item 3), the target of `{{CANCEL_LINK}}`.
///
/// `GET` (and `HEAD`) `?code=` show a confirmation page and change nothing, so a mail scanner that
/// opens the link any number of times leaves the code alone; the page offers the same for every
/// token, live or not, in the language of the token's user when it has one (issue 14, item 2). Its `POST`, a plain form that needs no script (the token is the
/// capability, so no CSRF token), revokes the pending code and answers with a page that is again
/// the same whether or not the token was live. Both carry the reset form's headers and strict CSP.
extension ResetFormRoutes {
    func addCancel<Routes: RouterMethods>(to router: Routes) where Routes.Context: ResetPressContext {
        router.get("/_resetpassword/cancel") { request, _ in try await cancelConfirmation(request) }
        router.post("/_resetpassword/cancel") { request, context in try await cancel(request, context) }
    }

    /// The confirmation page, carrying the token to its form; the token is looked up only for the
    /// language of its user (read, never spent), then the request's `locale` and `Accept-Language`.
    private func cancelConfirmation(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let token = query.get("code") ?? ""
        let language = pages.language(userLocale: try await service.userLocale(cancelToken: token), locale: query.get("locale"), of: request)
        return try pages.page("cancel_confirm.html", in: language, variables: ["CODE": token])
    }

    /// Revokes the pending code of the token, if any, and answers the same page either way.
    private func cancel(_ request: Request, _ context: some ResetPressContext) async throws -> Response {
        let parameters = try await RequestParameters.read(from: request, context: context)
        let scope = ResetRouteRequest(request, context, parameters: parameters, service: service)
        let token = parameters["code"] ?? ""
        // Read before the cancel spends the token.
        let language = pages.language(userLocale: try await service.userLocale(cancelToken: token), locale: parameters["locale"], of: request)
        do {
            try await service.cancelReset(cancelToken: token, clientIP: scope.clientIP, context: scope.hookContext, settings: scope.settings)
            return try pages.page("cancel_done.html", in: language)
        } catch let failure as ResetFailure {
            let message = language.messages.describe(failure, settings: scope.settings)
            let error = failure.apiError(change: false)
            var response = try pages.page("cancel_confirm.html", in: language, variables: ["CODE": token, "ERROR": message], status: error.status)
            response.headers.append(contentsOf: error.headers)
            return response
        } catch {
            context.logger.error("reset cancel failed", metadata: ["error": "\(error)"])
            throw APIError.internalError
        }
    }
}
