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
/// (no script) with a page.
struct ResetFormRoutes {
    let service: ResetPasswordService

    var engine: Engine { service.engine }
    var pages: URL { engine.root.appendingPathComponent("templates/pages") }

    func add(to router: Router<ResetPressRequestContext>) {
        router.get("/_resetpassword") { request, _ in try await form(request) }
        router.post("/_resetpassword") { request, context in try await submit(request, context) }
    }

    private func form(_ request: Request) async throws -> Response {
        let token = request.uri.queryParameters.get("code") ?? ""
        guard try await service.isLinkValid(token) else { return try page("link_expired.html", status: .ok) }
        return try page("password_form.html", variables: ["CODE": token, "ERROR": ""])
    }

    private func submit(_ request: Request, _ context: ResetPressRequestContext) async throws -> Response {
        let parameters = try await RequestParameters.read(from: request, context: context)
        let wantsJSON = request.headers[.contentType]?.contains("json") == true || request.headers[.accept]?.contains("application/json") == true
        let settings = engine.settings.snapshot
        let clientIP = context.clientIP(for: request, trustedProxies: HTTPSettings.proxies(settings))
        let hookContext = HookContext(
            method: "POST", path: "/_resetpassword", clientIP: clientIP, parameters: parameters.values,
            site: settings[CoreSettings.siteURL], mode: settings[ResetPasswordSettings.mode].rawValue)
        let token = parameters["code"] ?? ""
        do {
            let message = try await service.changePassword(
                linkToken: token, newPassword: parameters["new_password"] ?? "", confirmation: parameters["confirm_password"],
                clientIP: clientIP, context: hookContext)
            if wantsJSON {
                let json = await engine.hooks.applyFilters("response_change_user_password", APIEnvelope.successJSON(message: message), context: hookContext)
                return APIEnvelope.response(json: json)
            }
            return try page("password_changed.html")
        } catch let failure as ResetFailure {
            if wantsJSON { throw failure.apiError(change: true) }
            switch failure {
            case .passwordRule, .missingNewPassword, .rateLimited:
                return try page("password_form.html", variables: ["CODE": token, "ERROR": failure.description], status: .badRequest)
            default:
                return try page("link_expired.html", status: .badRequest)
            }
        } catch {
            context.logger.error("reset form failed", metadata: ["error": "\(error)"])
            throw APIError.internalError
        }
    }

    /// Renders a page template with the site's variables, with the headers every page carries.
    private func page(_ name: String, variables extra: [String: String] = [:], status: HTTPResponse.Status = .ok) throws -> Response {
        let settings = engine.settings.snapshot
        var variables = TemplateVariables(extra)
        variables["SITE_NAME"] = settings[CoreSettings.siteName]
        variables["SITE"] = settings[CoreSettings.siteURL]
        variables["POLICY"] = PasswordPolicy.summary(settings)
        variables["MIN_LENGTH"] = String(settings[ResetPasswordSettings.passwordMinLength])
        let template = try service.composer.templates.template(at: pages.appendingPathComponent(name))
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: template.render(variables, as: .html))))
    }
}
