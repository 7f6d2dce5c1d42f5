import Foundation
import Hummingbird
import ResetPassword
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage
import ResetPressUsers

extension AdminRoutes {
    /// Users shown per page of the search.
    static let usersPerPage = 50

    /// The support desk: the Users search, one user's timeline, and the actions for them.
    func addUserRoutes(to router: Router<ResetPressRequestContext>) {
        router.get("/admin/users", use: page { request, _, session in
            let query = request.uri.queryParameters.get("q") ?? ""
            let number = max(1, request.uri.queryParameters.get("page").flatMap { Int($0) } ?? 1)
            return try await usersPage(session, query: query, page: number)
        })
        router.get("/admin/users/:id", use: page { _, context, session in
            guard let desk = site.plugin.reset.support, let user = try await Self.user(context, desk) else { throw HTTPError(.notFound) }
            return try await userPage(session, user, desk: desk)
        })
        router.post("/admin/users/:id/:action", use: form { request, context, session, _ in
            guard let desk = site.plugin.reset.support, let user = try await Self.user(context, desk),
                let action = context.parameters.get("action").flatMap(SupportAction.init(rawValue:))
            else { throw HTTPError(.notFound) }
            let path = "/admin/users/\(user.id ?? 0)"
            do {
                let result = try await action.run(
                    on: user, desk: desk, site: site, actor: auth.admin(request, context), hookContext: auth.hookContext(request, context))
                // A hand-over link is shown in this answer only: a notice would keep it in the session's row.
                if let link = result.link {
                    return try await userPage(session, user, desk: desk, notices: [AdminNotice(kind: "success", text: result.message)], link: link)
                }
                return try await redirect(path, session: session, notice: AdminNotice(kind: "success", text: result.message))
            } catch let refusal as SupportAction.Refusal {
                return try await redirect(path, session: session, notice: AdminNotice(kind: "error", text: refusal.message))
            }
        })
    }

    /// The user the route's `:id` names, or nil.
    static func user(_ context: ResetPressRequestContext, _ desk: SupportDesk) async throws -> User? {
        guard let id = context.parameters.get("id", as: Int64.self) else { return nil }
        return try await desk.user(id: id)
    }

    private func usersPage(_ session: AdminSession, query: String, page number: Int) async throws -> Response {
        guard let desk = site.plugin.reset.support else {
            return try pages.render(
                title: "Users", content: "<p id=\"no-user-table\">This site's users are kept by its host, not in its own table.</p>",
                session: session, current: "/admin/users")
        }
        let found = try await desk.search(query, offset: (number - 1) * Self.usersPerPage, limit: Self.usersPerPage + 1)
        var content = "<p class=\"intro\">Find a user by the start of their email or login, then see what happened to their resets "
            + "and act for them.</p><form method=\"get\" action=\"/admin/users\" id=\"user-search\"><input type=\"search\" name=\"q\" "
            + "value=\"\(AdminPage.escape(query))\" class=\"regular-text\" aria-label=\"Email or login\" placeholder=\"email or login\"> "
            + "<button type=\"submit\">Search</button></form>"
        content += AdminPage.listTable(
            id: "users", headers: ["ID", "Login", "Email", "Created"], found.prefix(Self.usersPerPage), empty: ("no-users", "No user matches.")
        ) { user in
            let id = user.id ?? 0
            return "<tr><td>\(id)</td><td><a href=\"/admin/users/\(id)\">\(AdminPage.escape(user.login))</a></td>"
                + "<td>\(AdminPage.escape(user.email))</td><td>\(AdminFormat.date(user.createdAt))</td></tr>"
        }
        let search = query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""
        var links: [String] = []
        if number > 1 { links.append("<a href=\"/admin/users?q=\(search)&amp;page=\(number - 1)\" rel=\"prev\">Previous</a>") }
        if found.count > Self.usersPerPage { links.append("<a href=\"/admin/users?q=\(search)&amp;page=\(number + 1)\" rel=\"next\">Next</a>") }
        if !links.isEmpty { content += "<p class=\"pages\">" + links.joined(separator: " ") + "</p>" }
        return try pages.render(title: "Users", content: content, session: session, current: "/admin/users")
    }

    private func userPage(
        _ session: AdminSession, _ user: User, desk: SupportDesk, notices: [AdminNotice] = [], link: HandoverLink? = nil
    ) async throws -> Response {
        let timeline = try await desk.timeline(for: user, now: site.now)
        var content = "<p id=\"user-summary\">User #\(timeline.user.id) <strong>\(AdminPage.escape(timeline.user.login))</strong> "
            + "&lt;\(AdminPage.escape(timeline.user.email))&gt;</p>"
        if let link {
            content += "<div id=\"handover-link\" class=\"notice\"><p>Hand this link to the user (valid until \(AdminFormat.date(link.expiresAt)), "
                + "single use):</p><p><code>\(AdminPage.escape(link.url))</code></p></div>"
        }
        content += "<p id=\"current-code\">" + (timeline.currentCode.map {
            "Current code: issued \(AdminFormat.date($0.issuedAt)), expires \(AdminFormat.date($0.expiresAt)), \($0.attempts) wrong guesses."
        } ?? "No current code.") + "</p>"
        if let until = timeline.blockedUntil {
            content += "<p id=\"blocked\">Blocked by \"that wasn't me\" until \(AdminFormat.date(until)).</p>"
        }
        content += "<div id=\"user-actions\">"
        for action in SupportAction.allCases where action != .liftBlock || timeline.blockedUntil != nil {
            content += "<form method=\"post\" action=\"/admin/users/\(timeline.user.id)/\(action.rawValue)\" class=\"inline\" "
                + "data-confirm=\"\(AdminPage.escape(action.label))?\">\(AdminPage.csrfInput(session))"
                + "<button type=\"submit\" id=\"action-\(action.rawValue)\">\(AdminPage.escape(action.label))</button></form> "
        }
        content += "</div><h2>What happened</h2>"
        content += AdminPage.listTable(
            id: "timeline", headers: ["When", "What", "Outcome", "Client IP", "Detail"], timeline.entries,
            empty: ("no-timeline", "Nothing recorded for this user yet.")
        ) { entry in
            "<tr class=\"\(entry.what)\"><td>\(AdminFormat.date(entry.at))</td><td>\(entry.what)</td>"
                + "<td>\(AdminPage.escape(entry.outcome))</td><td>\(AdminPage.escape(entry.clientIP ?? "-"))</td>"
                + "<td>\(AdminPage.escape(entry.detail ?? ""))</td></tr>"
        }
        content += "<p><a href=\"/admin/users\">Back to Users</a></p>"
        return try await renderWithNotices(
            title: "User \(timeline.user.login)", content: content, session: session, current: "/admin/users", shown: notices)
    }
}
