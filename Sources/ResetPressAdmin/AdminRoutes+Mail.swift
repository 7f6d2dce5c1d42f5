import Foundation
import Hummingbird
import ResetPressHTTP
import ResetPressStorage

extension AdminRoutes {
    /// The mail queue: counts, the newest entries (optionally of one status), retry of failed mail.
    func addMailRoutes(to router: Router<ResetPressRequestContext>) {
        router.get("/admin/mail", use: page { request, _, session in
            let status = request.uri.queryParameters.get("status").flatMap(QueueStatus.init(rawValue:))
            return try await mailPage(session, status: status)
        })
        router.post("/admin/mail/retry", use: form { _, _, session, parameters in
            let ids = parameters["id"].flatMap { Int64($0) }.map { [$0] }
            let count = try await site.outbox.retry(ids: ids, now: site.now)
            if count > 0 { site.wakeSender() }
            let text = count == 0 ? "No failed mail to retry." : "\(count) message\(count == 1 ? "" : "s") queued again."
            return try await redirect("/admin/mail", session: session, notice: AdminNotice(kind: count == 0 ? "error" : "success", text: text))
        })
    }

    private func mailPage(_ session: AdminSession, status: QueueStatus?) async throws -> Response {
        let counts = try await site.outbox.counts()
        let entries = try await site.outbox.list(status: status, limit: 100)
        var content = "<p class=\"counts\" id=\"mail-counts\">"
        content += "<a href=\"/admin/mail\"\(status == nil ? " class=\"current\"" : "")>all</a>"
        for state in QueueStatus.allCases {
            content += " · <a href=\"/admin/mail?status=\(state.rawValue)\"\(status == state ? " class=\"current\"" : "")>"
                + "\(state.rawValue) (\(counts[state] ?? 0))</a>"
        }
        content += "</p>"
        if (counts[.failed] ?? 0) > 0 {
            content += "<form method=\"post\" action=\"/admin/mail/retry\" class=\"inline\">\(AdminPage.csrfInput(session))"
                + "<button type=\"submit\" id=\"retry-all\">Retry all failed mail</button></form>"
        }
        if entries.isEmpty {
            content += "<p id=\"no-mail\">No mail here.</p>"
        } else {
            content += "<table class=\"list\" id=\"mail-queue\"><thead><tr><th>ID</th><th>Kind</th><th>To</th><th>Subject</th><th>Status</th>"
                + "<th>Tries</th><th>Last error</th><th>Created</th><th>Next try / sent</th><th></th></tr></thead><tbody>"
            for entry in entries {
                let to = entry.recipients.joined(separator: ", ")
                let when = entry.sentAt.map(AdminFormat.date) ?? (entry.status == .queued ? AdminFormat.date(entry.nextAttemptAt) : "")
                var action = ""
                if entry.status == .failed, entry.body != nil {
                    action = "<form method=\"post\" action=\"/admin/mail/retry\">\(AdminPage.csrfInput(session))"
                        + "<input type=\"hidden\" name=\"id\" value=\"\(entry.id)\"><button type=\"submit\">Retry</button></form>"
                }
                content += "<tr class=\"status-\(entry.status.rawValue)\"><td>\(entry.id)</td><td>\(AdminPage.escape(entry.kind))</td>"
                    + "<td>\(AdminPage.escape(to))</td><td>\(AdminPage.escape(entry.subject))</td><td>\(entry.status.rawValue)</td>"
                    + "<td>\(entry.attempts)</td><td>\(AdminPage.escape(entry.lastError ?? ""))</td><td>\(AdminFormat.date(entry.createdAt))</td>"
                    + "<td>\(when)</td><td>\(action)</td></tr>"
            }
            content += "</tbody></table>"
        }
        let pending = try await site.sessions.takeNotices(id: session.id)
        return try pages.render(
            title: "Mail queue", content: content, session: session, current: "/admin/mail", notices: pending)
    }
}
