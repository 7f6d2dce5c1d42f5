import Foundation
import HTTPTypes
import Hummingbird
import ResetPressEngine
import ResetPressHTTP

/// The "that wasn't me" page at `/_resetpassword/cancel` (issue 14, item 3), the target of `{{CANCEL_LINK}}`.
///
/// `GET` (and `HEAD`) `?code=` show a confirmation page and read or change nothing, so a mail
/// scanner that opens the link any number of times leaves the code alone; the page is the same for
/// every token, live or not. Its `POST`, a plain form that needs no script (the token is the
/// capability, so no CSRF token), revokes the pending code and answers with a page that is again
/// the same whether or not the token was live. Both carry the reset form's headers and strict CSP.
struct CancelRoutes {
    let service: ResetPasswordService

    var engine: Engine { service.engine }
    var pages: ResetFormPages { ResetFormPages(engine: engine, templates: service.composer.templates) }

    func add<Routes: RouterMethods>(to router: Routes) where Routes.Context: ResetPressContext {
        router.get("/_resetpassword/cancel") { request, _ in try confirmation(request) }
        router.post("/_resetpassword/cancel") { request, context in try await cancel(request, context) }
    }

    /// The confirmation page, carrying the token to its form; nothing is looked up.
    private func confirmation(_ request: Request) throws -> Response {
        try pages.page("cancel_confirm.html", variables: ["CODE": request.uri.queryParameters.get("code") ?? ""])
    }

    /// Revokes the pending code of the token, if any, and answers the same page either way.
    private func cancel(_ request: Request, _ context: some ResetPressContext) async throws -> Response {
        let parameters = try await RequestParameters.read(from: request, context: context)
        let settings = engine.settings.snapshot
        let clientIP = context.clientIP(for: request, trustedProxies: HTTPSettings.proxies(settings))
        let hookContext = HookContext.resetRequest(
            method: "POST", path: request.uri.path, clientIP: clientIP, parameters: parameters.values, settings: settings)
        let token = parameters["code"] ?? ""
        do {
            try await service.cancelReset(cancelToken: token, clientIP: clientIP, context: hookContext)
            return try pages.page("cancel_done.html")
        } catch let failure as ResetFailure {
            let message = failure == .disabled ? "Password resets are turned off on this site." : failure.description
            let error = failure.apiError(change: false)
            var response = try pages.page("cancel_confirm.html", variables: ["CODE": token, "ERROR": message], status: error.status)
            response.headers.append(contentsOf: error.headers)
            return response
        } catch {
            context.logger.error("reset cancel failed", metadata: ["error": "\(error)"])
            throw APIError.internalError
        }
    }
}
