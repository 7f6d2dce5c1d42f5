import Foundation
import HTTPTypes
import Hummingbird
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage

/// The admin's HTML pages: sign-in and sign-out, dashboard (the landing page), settings, reset email, auth codes, mail queue,
/// webhooks, bulk reset.
///
/// Every page needs a signed-in session (otherwise: a redirect to `/admin/login`); every state
/// change is a POST carrying the session's CSRF token in `_csrf` (otherwise: 403, nothing done).
/// A successful POST redirects (303) to its page, which shows the outcome once.
struct AdminRoutes {
    let site: AdminSite

    var auth: AdminAuth { AdminAuth(site: site) }
    var pages: AdminPage { AdminPage(site: site) }

    typealias PageHandler = @Sendable (Request, ResetPressRequestContext, AdminSession) async throws -> Response
    typealias FormHandler = @Sendable (Request, ResetPressRequestContext, AdminSession, RequestParameters) async throws -> Response

    func add(to router: Router<ResetPressRequestContext>) {
        router.get("/admin/assets/:file") { _, context in try pages.asset(context.parameters.get("file") ?? "") }
        router.get("/admin/login") { request, _ in try await signInForm(request) }
        router.post("/admin/login") { request, context in try await signIn(request, context) }
        router.post("/admin/logout", use: form { _, _, session, _ in
            try await site.sessions.end(id: session.id)
            var response = Response.redirect(to: "/admin/login")
            response.setCookie(auth.expiredCookie())
            return response
        })
        router.get("/admin", use: page { _, _, session in try await settingsPage(session) })
        router.post("/admin/settings", use: form { request, context, session, parameters in
            try await saveSettings(request, context, session, parameters)
        })
        addDashboardRoutes(to: router)
        addEmailRoutes(to: router)
        addAuthCodeRoutes(to: router)
        addQueueRoutes(site.outbox, mailQueueView, to: router)
        addQueueRoutes(site.webhooks, webhookQueueView, to: router)
        addBulkResetRoutes(to: router)
        addTokenRoutes(to: router)
        addAuditRoutes(to: router)
        addUserRoutes(to: router)
    }

    /// Where a sign-in leads: the dashboard.
    static let landingPage = "/admin/dashboard"

    // MARK: - Guards

    /// A GET page for the signed-in admin.
    func page(_ handler: @escaping PageHandler) -> @Sendable (Request, ResetPressRequestContext) async throws -> Response {
        { [auth] request, context in
            guard let session = try await auth.signedIn(request) else { return Response.redirect(to: "/admin/login") }
            return try await handler(request, context, session)
        }
    }

    /// A state-changing POST: signed in, and the session's CSRF token in `_csrf`.
    func form(_ handler: @escaping FormHandler) -> @Sendable (Request, ResetPressRequestContext) async throws -> Response {
        { [auth, pages] request, context in
            guard let session = try await auth.signedIn(request) else { return Response.redirect(to: "/admin/login") }
            let parameters = try await RequestParameters.read(from: request, context: context)
            guard AdminAuth.csrfMatches(session, parameters[AdminAuth.csrfField]) else {
                return try Self.refused(pages, session: session)
            }
            return try await handler(request, context, session, parameters)
        }
    }

    /// The 403 page of a form without its CSRF token.
    static func refused(_ pages: AdminPage, session: AdminSession?) throws -> Response {
        try pages.render(
            title: "Form refused",
            content: "<p id=\"csrf-refused\">This form was refused: its security token is missing or out of date, so it may not "
                + "have come from this admin page. Nothing was changed. Go back, reload the page and try again.</p>"
                + "<p><a href=\"/admin\">Back to the admin</a></p>",
            session: session, current: nil, status: .forbidden)
    }

    /// A page of the signed-in admin showing the notices its session kept, then `shown` (never stored).
    func renderWithNotices(
        title: String, content: String, session: AdminSession, current: String, shown: [AdminNotice] = [], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let pending = try await site.sessions.takeNotices(id: session.id)
        return try pages.render(title: title, content: content, session: session, current: current, notices: pending + shown, status: status)
    }

    /// Redirects to `path` after adding a notice for the next page.
    func redirect(_ path: String, session: AdminSession, notice: AdminNotice? = nil) async throws -> Response {
        if let notice { try await site.sessions.addNotice(notice, to: session.id) }
        return Response.redirect(to: path)
    }

    // MARK: - Sign-in

    private func signInForm(_ request: Request, notice: AdminNotice? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let existing = try await auth.session(for: request)
        if status == .ok, existing?.isSignedIn == true { return Response.redirect(to: Self.landingPage) }
        let session: AdminSession
        if let existing, !existing.isSignedIn {
            session = existing
        } else {
            session = try await site.sessions.startAnonymous(now: site.now, capacity: site.sessionCapacity)
        }
        var notices = notice.map { [$0] } ?? []
        if site.settings[AdminSettings.passwordHash].isEmpty {
            notices.append(AdminNotice(kind: "error", text: "No admin password is set yet: run `resetpress admin set-password` on the server."))
        }
        let content = "<form method=\"post\" action=\"/admin/login\" class=\"sign-in\" id=\"sign-in-form\">\(AdminPage.csrfInput(session))"
            + "<label for=\"password\">Admin password</label>"
            + "<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required autofocus>"
            + "<button type=\"submit\" class=\"primary\">Sign in</button></form>"
        var response = try pages.render(title: "Sign in", content: content, session: session, current: nil, notices: notices, status: status)
        if session.id != existing?.id { response.setCookie(auth.cookie(for: session)) }
        return response
    }

    private func signIn(_ request: Request, _ context: ResetPressRequestContext) async throws -> Response {
        let parameters = try await RequestParameters.read(from: request, context: context)
        guard let session = try await auth.session(for: request), AdminAuth.csrfMatches(session, parameters[AdminAuth.csrfField]) else {
            return try await signInForm(
                request, notice: AdminNotice(kind: "error", text: "The sign-in form was refused (missing or expired security token). Try again."),
                status: .forbidden)
        }
        let outcome = try await auth.checkPassword(parameters["password"] ?? "", clientIP: auth.clientIP(request, context))
        if outcome != .notSet {
            try await site.record(outcome.isAccepted ? "signin.succeeded" : "signin.failed", "admin", by: auth.admin(request, context))
        }
        switch outcome {
        case .accepted(let hash):
            let signedIn = try await site.sessions.signIn(replacing: session.id, passwordHash: hash, now: site.now, capacity: site.sessionCapacity)
            var response = Response.redirect(to: Self.landingPage)
            response.setCookie(auth.cookie(for: signedIn))
            return response
        case .wrong:
            return try await signInForm(request, notice: AdminNotice(kind: "error", text: "Wrong password."), status: .unauthorized)
        case .notSet:
            return try await signInForm(request, status: .unauthorized)
        case .throttled(let wait):
            let minutes = max(1, (wait + 59) / 60)
            var response = try await signInForm(
                request, notice: AdminNotice(kind: "error", text: "Too many wrong passwords from your address. Try again in \(minutes) minute\(minutes == 1 ? "" : "s")."),
                status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
    }
}
