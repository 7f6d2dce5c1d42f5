import Foundation
import HTTPTypes
import Hummingbird
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage
import ResetPressUsers

/// How the admin is recognised: the session cookie, the CSRF token, the admin password.
///
/// The cookie `resetpress_admin` holds a random session id only; it is `HttpOnly`,
/// `SameSite=Strict`, scoped to `/admin`, and `Secure` when `site.url` is https. Every
/// state-changing request carries the session's CSRF token (form field `_csrf` or header
/// `X-CSRF-Token`), compared in constant time.
struct AdminAuth {
    /// The session cookie's name.
    static let cookieName = "resetpress_admin"
    /// The form field carrying the CSRF token.
    static let csrfField = "_csrf"
    /// The header carrying the CSRF token (scripts, the page's own fetches).
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    let site: AdminSite

    /// The live session named by the request's cookie, if any (its last-seen time moved to now).
    func session(for request: Request) async throws -> AdminSession? {
        guard let id = request.cookies[Self.cookieName]?.value, id.count == 64 else { return nil }
        let settings = site.settings.snapshot
        return try await site.sessions.session(
            id: id, idleTimeout: TimeInterval(settings[AdminSettings.sessionMinutes] * 60), passwordHash: settings[AdminSettings.passwordHash],
            now: site.now)
    }

    /// The signed-in session of the request, if any.
    func signedIn(_ request: Request) async throws -> AdminSession? {
        try await session(for: request).flatMap { $0.isSignedIn ? $0 : nil }
    }

    /// Whether `presented` is the session's CSRF token (constant time).
    static func csrfMatches(_ session: AdminSession, _ presented: String?) -> Bool {
        guard let presented else { return false }
        return ConstantTime.equals(Array(presented.utf8), Array(session.csrfToken.utf8))
    }

    /// The cookie that carries `session`.
    func cookie(for session: AdminSession) -> Cookie {
        Cookie(
            name: Self.cookieName, value: session.id, path: "/admin", secure: isSecureSite, httpOnly: true, sameSite: .strict)
    }

    /// A cookie that removes the session cookie from the browser.
    func expiredCookie() -> Cookie {
        Cookie(
            name: Self.cookieName, value: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/admin", secure: isSecureSite,
            httpOnly: true, sameSite: .strict)
    }

    /// Whether the site is served over https (the cookie is then `Secure`).
    var isSecureSite: Bool { site.settings[CoreSettings.siteURL].lowercased().hasPrefix("https://") }

    /// The outcome of presenting an admin password.
    enum PasswordCheck: Equatable {
        case accepted(passwordHash: String)
        case wrong
        case throttled(retryAfter: Int)
        case notSet

        /// Whether the password was right.
        var isAccepted: Bool {
            if case .accepted = self { true } else { false }
        }
    }

    /// Checks an admin password from `clientIP`, counting failures against the sign-in throttle.
    func checkPassword(_ password: String, clientIP: String) async throws -> PasswordCheck {
        let now = site.now
        if let wait = try await site.throttle.retryAfter(clientIP, now: now) { return .throttled(retryAfter: wait) }
        let hash = site.settings[AdminSettings.passwordHash]
        guard !hash.isEmpty else { return .notSet }
        guard await site.hasher.verify(password, against: hash) else {
            try await site.throttle.recordFailure(clientIP, now: now)
            return .wrong
        }
        try await site.throttle.reset(clientIP)
        return .accepted(passwordHash: hash)
    }

    /// The client IP of a request, through the trusted proxies.
    func clientIP(_ request: Request, _ context: ResetPressRequestContext) -> String {
        context.clientIP(for: request, trustedProxies: HTTPSettings.proxies(site.settings.snapshot))
    }

    /// The signed-in admin of a page or API request, for the audit trail.
    func admin(_ request: Request, _ context: ResetPressRequestContext) -> AuditActor {
        AuditActor(name: "admin", clientIP: clientIP(request, context))
    }

    /// The hook context of an admin action (settings writes fire `update_option` with it).
    func hookContext(_ request: Request, _ context: ResetPressRequestContext) -> HookContext {
        HookContext(
            method: request.method.rawValue, path: request.uri.path, clientIP: clientIP(request, context),
            site: site.settings[CoreSettings.siteURL])
    }
}
