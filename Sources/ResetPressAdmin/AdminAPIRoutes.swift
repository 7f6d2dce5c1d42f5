import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage

/// The admin JSON API at `/admin/api/...`: the admin page's operations for scripts.
///
/// A caller is either the signed-in admin page (session cookie; state changes also need the
/// `X-CSRF-Token` header) or a script sending `Authorization: Bearer <API token>` whose scopes
/// include the route's (`read`, `settings`, `auth-codes`, `mail`); no CSRF token, as browsers never
/// add that header on their own. The admin password as a bearer (checked with bcrypt, throttled
/// like the sign-in form) is refused unless `admin.api_password_bearer` is on. Answers use the envelope `{"success": true, "message": M, "data": {...}}`.
///
/// - `GET /admin/api/settings`, `POST /admin/api/settings` (a JSON object of key → value, `null` unsets; atomic)
/// - `GET /admin/api/auth-codes`, `POST /admin/api/auth-codes` (`code`, `role`, `expires_in_days`),
///   `DELETE /admin/api/auth-codes/:id` (or `POST .../:id/delete`)
/// - `GET /admin/api/mail?status=&limit=`, `POST /admin/api/mail/retry` (`{"ids": [...]}` or all failed)
/// - `POST /admin/api/preview` (draft mail settings → `subject`, `text`, `html`)
/// - `GET /admin/api/users?q=&offset=&limit=`, `GET /admin/api/users/:id` (the timeline),
///   `POST /admin/api/users/:id/send-reset|handover|expire-password|lift-block` (scope `users`)
struct AdminAPIRoutes {
    let site: AdminSite

    var auth: AdminAuth { AdminAuth(site: site) }

    /// A route's work, given who asks (for the audit trail).
    typealias Handler = @Sendable (Request, ResetPressRequestContext, AuditActor) async throws -> Response

    func add(to router: Router<ResetPressRequestContext>) {
        router.get("/admin/api/settings", use: guarded(.read) { _, _, _ in settingsList() })
        router.post("/admin/api/settings", use: guarded(.settings) { request, context, actor in try await writeSettings(request, context, actor) })
        router.get("/admin/api/auth-codes", use: guarded(.read) { _, _, _ in try await authCodes() })
        router.post("/admin/api/auth-codes", use: guarded(.authCodes) { request, context, actor in try await addAuthCode(request, context, actor) })
        router.delete("/admin/api/auth-codes/:id", use: guarded(.authCodes) { _, context, actor in try await removeAuthCode(context, actor) })
        router.post("/admin/api/auth-codes/:id/delete", use: guarded(.authCodes) { _, context, actor in try await removeAuthCode(context, actor) })
        router.get("/admin/api/mail", use: guarded(.read) { request, _, _ in try await mail(request) })
        router.post("/admin/api/mail/retry", use: guarded(.mail) { request, context, actor in try await retryMail(request, context, actor) })
        router.post("/admin/api/preview", use: guarded(.read, changes: true) { request, context, _ in try await preview(request, context) })
        addUserRoutes(to: router)
    }

    /// Runs `handler` for an authorised caller: an API token with `scope`, the admin password when
    /// `admin.api_password_bearer` allows it, or the signed-in admin page (which needs the CSRF header
    /// for a POST or DELETE, `changes`).
    func guarded(
        _ scope: APITokenScope, changes: Bool? = nil, _ handler: @escaping Handler
    ) -> @Sendable (Request, ResetPressRequestContext) async throws -> Response {
        let changes = changes ?? (scope != .read)
        return { [auth, site] request, context in
            let clientIP = auth.clientIP(request, context)
            if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
                let presented = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
                if presented.hasPrefix(APITokens.prefix) {
                    guard let token = try await site.tokens?.authenticate(presented, now: site.now) else { throw AdminAPIError.unauthorized }
                    guard token.scopes.contains(scope.rawValue) else { throw AdminAPIError.forbidden(scope: scope) }
                    return try await handler(request, context, AuditActor(name: "token:\(token.name)", clientIP: clientIP))
                }
                guard site.settings[AdminSettings.apiPasswordBearer] else { throw AdminAPIError.passwordBearerOff }
                switch try await auth.checkPassword(presented, clientIP: clientIP) {
                case .accepted: return try await handler(request, context, AuditActor(name: "admin-password", clientIP: clientIP))
                case .wrong, .notSet: throw AdminAPIError.unauthorized
                case .throttled(let wait): throw AdminAPIError.throttled(retryAfter: wait)
                }
            }
            guard let session = try await auth.signedIn(request) else { throw AdminAPIError.unauthorized }
            if changes && !AdminAuth.csrfMatches(session, request.headers[AdminAuth.csrfHeader]) { throw AdminAPIError.csrf }
            return try await handler(request, context, AuditActor(name: "admin", clientIP: clientIP))
        }
    }

    /// A success envelope with the admin's security headers.
    func ok(_ message: String, _ data: [(String, JSONValue)] = []) -> Response {
        APIEnvelope.response(json: APIEnvelope.successJSON(message: message, data: data), headers: AdminPage.securityHeaders)
    }

    /// The body as a JSON object, or the form/query parameters as strings when it is not JSON.
    private func body(_ request: Request, _ context: ResetPressRequestContext) async throws -> [(String, JSONValue)] {
        let buffer = try await RequestParameters.collectBody(request: request, limit: context.maxUploadSize, timeout: context.bodyTimeout)
        if buffer.readableBytes > 0, buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == UInt8(ascii: "{") {
            guard let members = (try? JSONValue(parsing: buffer))?.objectMembers else { throw AdminAPIError.badRequest("The body must be a JSON object.") }
            return members
        }
        return try RequestParameters.parse(request: request, body: buffer, limit: context.maxUploadSize).map { ($0.name, .string($0.value)) }
    }

    // MARK: - Settings

    private func settingsList() -> Response {
        let snapshot = site.settings.snapshot
        let list = snapshot.allDefinitions.map { definition -> JSONValue in
            let resolved = snapshot.resolved(definition.name)
            let value = resolved?.value ?? definition.defaultValue
            var members: [(String, JSONValue)] = [
                ("key", .string(definition.name)), ("kind", .string(definition.kind.name)), ("group", .string(definition.group)),
                ("description", .string(definition.description)),
                ("value", definition.isSecret ? .string(definition.display(value)) : AdminJSON.json(value)),
                ("source", .string((resolved?.source ?? .defaultValue).description)),
                ("pinned", .bool(resolved?.source.isPinned ?? false)),
                ("writable", .bool(!(resolved?.source.isPinned ?? false) && !AdminSettings.protectedKeys.contains(definition.name))),
            ]
            if case .enumeration(let cases) = definition.kind { members.append(("options", .array(cases.map { .string($0) }))) }
            return .object(members)
        }
        return ok("\(list.count) settings.", [("settings", .array(list))])
    }

    private func writeSettings(_ request: Request, _ context: ResetPressRequestContext, _ actor: AuditActor) async throws -> Response {
        let members = try await body(request, context)
        guard !members.isEmpty else { throw AdminAPIError.badRequest("Send a JSON object of setting keys and values.") }
        var changes: [String: SettingsEngine.Input] = [:]
        var refused: [SettingsMessage] = []
        for (key, value) in members {
            if AdminSettings.protectedKeys.contains(key) {
                refused.append(SettingsMessage(key: key, message: "\(key) is set with `resetpress admin set-password`, not through the API."))
            } else if let input = AdminJSON.input(value) {
                changes[key] = input
            } else {
                refused.append(SettingsMessage(key: key, message: "\(key): must be a string, whole number, boolean, list of strings or null."))
            }
        }
        guard refused.isEmpty else { throw AdminAPIError.badRequest("Nothing was saved.", errors: refused) }
        do {
            let changed = try await site.settings.set(changes, context: auth.hookContext(request, context), actor: actor, at: site.now)
            return ok(changed.isEmpty ? "Nothing changed." : "Settings saved.", [("changed", .array(changed.map { .string($0) }))])
        } catch let error as SettingsWriteError {
            throw AdminAPIError.badRequest("Nothing was saved.", errors: error.messages)
        }
    }

    // MARK: - Auth codes

    private func authCodes() async throws -> Response {
        let now = site.now
        let list = try await site.gate.list().map { AdminJSON.json($0, now: now) }
        return ok("\(list.count) auth codes.", [("auth_codes", .array(list))])
    }

    private func addAuthCode(_ request: Request, _ context: ResetPressRequestContext, _ actor: AuditActor) async throws -> Response {
        let fields = Dictionary(try await body(request, context).map { ($0.0, AdminJSON.text($0.1)) }, uniquingKeysWith: { $1 })
        do {
            let expiresAt = try AuthCodeInput.expiry(days: fields["expires_in_days"] ?? nil, now: site.now)
            let added = try await AuthCodeInput.add(
                code: (fields["code"] ?? nil) ?? "", role: (fields["role"] ?? nil) ?? "", expiresAt: expiresAt, site: site, by: actor)
            var record = AdminJSON.json(added.record, now: site.now)
            record = record.setting("code", to: .string(added.code))
            return ok("Auth code added.", [("auth_code", record)])
        } catch let problem as AuthCodeInput.Problem {
            throw AdminAPIError.badRequest(problem.description)
        }
    }

    private func removeAuthCode(_ context: ResetPressRequestContext, _ actor: AuditActor) async throws -> Response {
        guard let id = context.parameters.get("id", as: Int64.self), try await site.gate.remove(id: id, now: site.now, by: actor) else {
            throw AdminAPIError.notFound
        }
        return ok("Auth code removed.", [("id", .number(Double(id)))])
    }

    // MARK: - Mail

    private func mail(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let status = query.get("status").flatMap(QueueStatus.init(rawValue:))
        let limit = min(500, max(1, query.get("limit").flatMap { Int($0) } ?? 100))
        let counts = try await site.outbox.counts()
        let entries = try await site.outbox.list(status: status, limit: limit)
        let countJSON = JSONValue.object(QueueStatus.allCases.map { ($0.rawValue, .number(Double(counts[$0] ?? 0))) })
        return ok("\(entries.count) messages.", [("counts", countJSON), ("mail", .array(entries.map(AdminJSON.json)))])
    }

    private func retryMail(_ request: Request, _ context: ResetPressRequestContext, _ actor: AuditActor) async throws -> Response {
        let fields = try await body(request, context)
        var ids: [Int64]?
        if let value = fields.first(where: { $0.0 == "ids" })?.1 {
            guard let list = value.arrayElements?.compactMap({ $0.numberValue.map { Int64($0) } }), list.count == value.arrayElements?.count else {
                throw AdminAPIError.badRequest("ids must be a list of mail ids.")
            }
            ids = list
        }
        let count = try await site.outbox.retry(ids: ids, now: site.now, by: actor)
        if count > 0 { site.wakeSender() }
        return ok("\(count) messages queued again.", [("requeued", .number(Double(count)))])
    }

    // MARK: - Preview

    private func preview(_ request: Request, _ context: ResetPressRequestContext) async throws -> Response {
        var changes: [String: SettingsEngine.Input] = [:]
        var locale: String?
        for (key, value) in try await body(request, context) {
            if key == "locale", case .string(let tag) = value { locale = tag }
            guard EmailPreview.keys.contains(key) else { continue }
            guard let input = AdminJSON.input(value) else { throw AdminAPIError.badRequest("\(key) must be a string.") }
            changes[key] = input
        }
        switch try await EmailPreview(site: site).render(changes, locale: locale) {
        case .mail(let subject, let text, let html):
            return ok("Preview rendered.", [("mail", true), ("subject", .string(subject)), ("text", .string(text)), ("html", html.map { .string($0) } ?? .null)])
        case .noMail(let reason):
            return ok(reason, [("mail", false), ("subject", .null), ("text", .null), ("html", .null)])
        case .invalid(let messages):
            throw AdminAPIError.badRequest("The draft has values that cannot be used.", errors: messages)
        }
    }
}
