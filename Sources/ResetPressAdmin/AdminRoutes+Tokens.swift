import Foundation
import Hummingbird
import ResetPressHTTP
import ResetPressStorage

extension AdminRoutes {
    /// The admin API's tokens: list (scopes, expiry, last use), add (shown once), revoke.
    func addTokenRoutes(to router: Router<ResetPressRequestContext>) {
        router.get("/admin/tokens", use: page { _, _, session in try await tokensPage(session) })
        router.post("/admin/tokens", use: form { request, context, session, parameters in
            guard let tokens = site.tokens else { throw HTTPError(.notFound) }
            let name = (parameters["name"] ?? "").trimmingCharacters(in: .whitespaces)
            let scopes = APITokenScope.allCases.filter { parameters["scope_\($0.rawValue)"] != nil }
            let notice: AdminNotice
            if name.isEmpty || scopes.isEmpty {
                notice = AdminNotice(kind: "error", text: "Give the token a name and at least one scope.")
            } else {
                do {
                    let expiresAt = try AuthCodeInput.expiry(days: parameters["expires_in_days"], now: site.now)
                    let (token, record) = try await tokens.issue(name: name, scopes: scopes, expiresAt: expiresAt, now: site.now, by: auth.admin(request, context))
                    // Shown in this answer only: a notice would keep the token in the session's row until shown.
                    return try await tokensPage(session, shown: [AdminNotice(
                        kind: "success", text: "Token #\(record.id) '\(record.name)' added: \(token) — copy it now, it is not shown again.")])
                } catch let error as AuthCodeInput.Problem {
                    notice = AdminNotice(kind: "error", text: error.description)
                }
            }
            return try await redirect("/admin/tokens", session: session, notice: notice)
        })
        router.post("/admin/tokens/:id/revoke", use: form { request, context, session, _ in
            guard let id = context.parameters.get("id", as: Int64.self), try await site.tokens?.revoke(id: id, now: site.now, by: auth.admin(request, context)) == true else {
                return try await redirect("/admin/tokens", session: session, notice: AdminNotice(kind: "error", text: "No such active token."))
            }
            return try await redirect("/admin/tokens", session: session, notice: AdminNotice(kind: "success", text: "Token #\(id) revoked."))
        })
    }

    /// The page, with `shown` notices that are never stored (a new token).
    private func tokensPage(_ session: AdminSession, shown: [AdminNotice] = []) async throws -> Response {
        let list = try await site.tokens?.list() ?? []
        let now = site.now
        var content = "<p class=\"intro\">Scripts call the admin API with <code>Authorization: Bearer &lt;token&gt;</code>. Only a keyed hash "
            + "of each token is stored; a token is shown once, when it is added.</p>"
        content += AdminPage.listTable(
            id: "tokens", headers: ["ID", "Name", "Scopes", "Expires", "Last used", "State", ""], list, empty: ("no-tokens", "No API tokens yet.")
        ) { token in
            let state = token.revokedAt != nil ? "revoked" : token.isActive(at: now) ? "active" : "expired"
            let revoke = state == "active"
                ? "<form method=\"post\" action=\"/admin/tokens/\(token.id)/revoke\" data-confirm=\"Revoke token #\(token.id)?\">"
                    + "\(AdminPage.csrfInput(session))<button type=\"submit\" class=\"danger\">Revoke</button></form>"
                : ""
            return "<tr\(state == "active" ? "" : " class=\"expired\"")><td>\(token.id)</td><td>\(AdminPage.escape(token.name))</td>"
                + "<td>\(AdminPage.escape(token.scopes.joined(separator: ", ")))</td>"
                + "<td>\(token.expiresAt.map(AdminFormat.date) ?? "never")</td><td>\(token.lastUsedAt.map(AdminFormat.date) ?? "never")</td>"
                + "<td>\(state)</td><td>\(revoke)</td></tr>"
        }
        let boxes = APITokenScope.allCases.map { scope in
            "<label><input type=\"checkbox\" name=\"scope_\(scope.rawValue)\"\(scope == .read ? " checked" : "")> \(scope.rawValue)</label>"
        }.joined(separator: " ")
        content += "<h2>Add a token</h2><form method=\"post\" action=\"/admin/tokens\" id=\"add-token\">\(AdminPage.csrfInput(session))"
            + "<table class=\"form-table\" role=\"presentation\">"
            + "<tr><th><label for=\"name\">Name</label></th><td><input type=\"text\" id=\"name\" name=\"name\" class=\"regular-text\" "
            + "autocomplete=\"off\" placeholder=\"deploy-script\"></td></tr>"
            + "<tr><th>Scopes</th><td>\(boxes)</td></tr>"
            + "<tr><th><label for=\"expires_in_days\">Expires in (days)</label></th><td><input type=\"number\" min=\"1\" id=\"expires_in_days\" "
            + "name=\"expires_in_days\" class=\"small-text\"><p class=\"description\">Empty: until revoked.</p></td></tr></table>"
            + "<p class=\"submit\"><button type=\"submit\" class=\"primary\">Add token</button></p></form>"
        return try await renderWithNotices(title: "API tokens", content: content, session: session, current: "/admin/tokens", shown: shown)
    }
}
