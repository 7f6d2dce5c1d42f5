import Foundation
import Hummingbird
import ResetPressHTTP
import ResetPressStorage

extension AdminRoutes {
    /// The webhook queue: counts, the newest deliveries (optionally of one status), retry of failed ones.
    /// A running webhook sender picks retried deliveries up at its next tick (a second).
    func addWebhookRoutes(to router: Router<ResetPressRequestContext>) {
        router.get("/admin/webhooks", use: page { request, _, session in
            let status = request.uri.queryParameters.get("status").flatMap(QueueStatus.init(rawValue:))
            return try await webhooksPage(session, status: status)
        })
        router.post("/admin/webhooks/retry", use: form { _, _, session, parameters in
            let ids = parameters["id"].flatMap { Int64($0) }.map { [$0] }
            let count = try await site.webhooks.retry(ids: ids, now: site.now)
            if count > 0 { site.wakeWebhookSender() }
            let text = count == 0 ? "No failed webhook to retry." : "\(count) webhook\(count == 1 ? "" : "s") queued again."
            return try await redirect("/admin/webhooks", session: session, notice: AdminNotice(kind: count == 0 ? "error" : "success", text: text))
        })
    }

    private func webhooksPage(_ session: AdminSession, status: QueueStatus?) async throws -> Response {
        let counts = try await site.webhooks.counts()
        let entries = try await site.webhooks.list(status: status, limit: 100)
        var content = "<p class=\"counts\" id=\"webhook-counts\">"
        content += "<a href=\"/admin/webhooks\"\(status == nil ? " class=\"current\"" : "")>all</a>"
        for state in QueueStatus.allCases {
            content += " · <a href=\"/admin/webhooks?status=\(state.rawValue)\"\(status == state ? " class=\"current\"" : "")>"
                + "\(state.rawValue) (\(counts[state] ?? 0))</a>"
        }
        content += "</p>"
        if (counts[.failed] ?? 0) > 0 {
            content += "<form method=\"post\" action=\"/admin/webhooks/retry\" class=\"inline\">\(AdminPage.csrfInput(session))"
                + "<button type=\"submit\" id=\"retry-all-webhooks\">Retry all failed webhooks</button></form>"
        }
        if entries.isEmpty {
            content += "<p id=\"no-webhooks\">No webhooks here. Set <code>webhooks.&lt;event&gt;</code> URLs in the settings to send some.</p>"
        } else {
            content += "<table class=\"list\" id=\"webhook-queue\"><thead><tr><th>ID</th><th>Event</th><th>URL</th><th>Status</th>"
                + "<th>Tries</th><th>Last error</th><th>Created</th><th>Next try / sent</th><th></th></tr></thead><tbody>"
            for entry in entries {
                let when = entry.sentAt.map(AdminFormat.date) ?? (entry.status == .queued ? AdminFormat.date(entry.nextAttemptAt) : "")
                var action = ""
                if entry.status == .failed {
                    action = "<form method=\"post\" action=\"/admin/webhooks/retry\">\(AdminPage.csrfInput(session))"
                        + "<input type=\"hidden\" name=\"id\" value=\"\(entry.id)\"><button type=\"submit\">Retry</button></form>"
                }
                content += "<tr class=\"status-\(entry.status.rawValue)\"><td>\(entry.id)</td><td>\(AdminPage.escape(entry.event))</td>"
                    + "<td>\(AdminPage.escape(entry.url))</td><td>\(entry.status.rawValue)</td><td>\(entry.attempts)</td>"
                    + "<td>\(AdminPage.escape(entry.lastError ?? ""))</td><td>\(AdminFormat.date(entry.createdAt))</td>"
                    + "<td>\(when)</td><td>\(action)</td></tr>"
            }
            content += "</tbody></table>"
        }
        let pending = try await site.sessions.takeNotices(id: session.id)
        return try pages.render(
            title: "Webhooks", content: content, session: session, current: "/admin/webhooks", notices: pending)
    }
}
