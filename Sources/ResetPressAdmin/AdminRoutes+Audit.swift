import Foundation
import Hummingbird
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage

extension AdminRoutes {
    /// The audit trail: who changed what, newest first (what `resetpress audit` prints).
    func addAuditRoutes(to router: Router<ResetPressRequestContext>) {
        router.get("/admin/audit", use: page { _, _, session in try await auditPage(session) })
    }

    private func auditPage(_ session: AdminSession) async throws -> Response {
        let records = try await site.plugin.audit?.list(since: nil, limit: 200) ?? []
        var content = "<p class=\"intro\">Who changed settings, auth codes and API tokens, who signed in, retried mail or webhooks "
            + "and started bulk resets: the last 200, newest first. Secrets are never recorded (a secret setting shows as changed).</p>"
        content += AdminPage.listTable(
            id: "audit", headers: ["When", "Who", "Client IP", "Action", "Subject", "Change"], records, empty: ("no-audit", "Nothing recorded yet.")
        ) { record in
            "<tr><td>\(AdminFormat.date(record.at))</td><td>\(AdminPage.escape(record.actor))</td>"
                + "<td>\(AdminPage.escape(record.clientIP))</td><td>\(AdminPage.escape(record.action))</td>"
                + "<td>\(AdminPage.escape(record.subject))</td><td>\(AdminPage.escape(record.detail))</td></tr>"
        }
        return try pages.render(title: "Audit trail", content: content, session: session, current: "/admin/audit")
    }
}
