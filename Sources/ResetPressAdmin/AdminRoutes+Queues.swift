import Foundation
import Hummingbird
import ResetPressHTTP
import ResetPressStorage

/// How the admin shows one leased queue: where, under which names, and the payload's own columns.
struct AdminQueueView<Payload: QueuePayload>: Sendable {
    /// The path under `/admin/` and the prefix of the page's element ids (`mail`, `webhooks`).
    let slug: String
    let title: String
    /// What one entry is called, and several (`message`, `messages`).
    let singular: String
    let plural: String
    /// What the page says when it lists nothing (HTML).
    let empty: String
    /// The payload's columns: each header and its cell's text (the page escapes it).
    let columns: [(header: String, text: @Sendable (QueueEntry<Payload>) -> String)]
    /// Wakes the queue's sender after a retry.
    let wake: @Sendable () -> Void
}

extension AdminRoutes {
    /// The mail outbox as the admin shows it; a sent message's Answer is the transport's.
    var mailQueueView: AdminQueueView<OutboxMail> {
        AdminQueueView(
            slug: "mail", title: "Mail queue", singular: "message", plural: "messages", empty: "No mail here.",
            columns: [
                ("Kind", { $0.kind }), ("To", { $0.recipients.joined(separator: ", ") }), ("Subject", { $0.subject }),
                ("Answer", { $0.deliveryDetail ?? "" }),
            ],
            wake: { [site] in site.wakeSender() })
    }

    /// The webhook queue as the admin shows it.
    var webhookQueueView: AdminQueueView<QueuedWebhook> {
        AdminQueueView(
            slug: "webhooks", title: "Webhooks", singular: "webhook", plural: "webhooks",
            empty: "No webhooks here. Set <code>webhooks.&lt;event&gt;</code> URLs in the settings to send some.",
            columns: [("Event", { $0.event }), ("URL", { $0.url })], wake: { [site] in site.wakeWebhookSender() })
    }

    /// `queue`'s page: counts, the newest entries (optionally of one status), and retry of failed
    /// ones, which wakes the queue's sender.
    func addQueueRoutes<Queue: LeasedQueue>(
        _ queue: Queue, _ view: AdminQueueView<Queue.Payload>, to router: Router<ResetPressRequestContext>
    ) {
        router.get("/admin/\(view.slug)", use: page { request, _, session in
            let status = request.uri.queryParameters.get("status").flatMap(QueueStatus.init(rawValue:))
            return try await queuePage(queue, view, session, status: status)
        })
        router.post("/admin/\(view.slug)/retry", use: form { request, context, session, parameters in
            let ids = parameters["id"].flatMap { Int64($0) }.map { [$0] }
            let count = try await queue.retry(ids: ids, now: site.now, by: auth.admin(request, context))
            if count > 0 { view.wake() }
            let text = count == 0 ? "No failed \(view.plural) to retry." : "\(count) \(count == 1 ? view.singular : view.plural) queued again."
            return try await redirect(
                "/admin/\(view.slug)", session: session, notice: AdminNotice(kind: count == 0 ? "error" : "success", text: text))
        })
    }

    private func queuePage<Queue: LeasedQueue>(
        _ queue: Queue, _ view: AdminQueueView<Queue.Payload>, _ session: AdminSession, status: QueueStatus?
    ) async throws -> Response {
        let counts = try await queue.counts()
        let entries = try await queue.list(status: status, limit: 100)
        let path = "/admin/\(view.slug)"
        var content = "<p class=\"counts\" id=\"\(view.slug)-counts\">"
        content += "<a href=\"\(path)\"\(status == nil ? " class=\"current\"" : "")>all</a>"
        for state in QueueStatus.allCases {
            content += " · <a href=\"\(path)?status=\(state.rawValue)\"\(status == state ? " class=\"current\"" : "")>"
                + "\(state.rawValue) (\(counts[state] ?? 0))</a>"
        }
        content += "</p>"
        if (counts[.failed] ?? 0) > 0 {
            content += "<form method=\"post\" action=\"\(path)/retry\" class=\"inline\">\(AdminPage.csrfInput(session))"
                + "<button type=\"submit\" id=\"retry-all-\(view.slug)\">Retry all failed \(view.plural)</button></form>"
        }
        guard !entries.isEmpty else {
            content += "<p id=\"no-\(view.slug)\">\(view.empty)</p>"
            return try await renderWithNotices(title: view.title, content: content, session: session, current: "/admin/\(view.slug)")
        }
        let headers = view.columns.map { "<th>\($0.header)</th>" }.joined()
        content += "<table class=\"list\" id=\"\(view.slug)-queue\"><thead><tr><th>ID</th>\(headers)<th>Status</th>"
            + "<th>Tries</th><th>Last error</th><th>Created</th><th>Next try / sent</th><th></th></tr></thead><tbody>"
        for entry in entries {
            let when = entry.sentAt.map(AdminFormat.date) ?? (entry.status == .queued ? AdminFormat.date(entry.nextAttemptAt) : "")
            var action = ""
            if entry.status == .failed, entry.payload.hasBody {
                action = "<form method=\"post\" action=\"\(path)/retry\">\(AdminPage.csrfInput(session))"
                    + "<input type=\"hidden\" name=\"id\" value=\"\(entry.id)\"><button type=\"submit\">Retry</button></form>"
            }
            let cells = view.columns.map { "<td>\(AdminPage.escape($0.text(entry)))</td>" }.joined()
            content += "<tr class=\"status-\(entry.status.rawValue)\"><td>\(entry.id)</td>\(cells)<td>\(entry.status.rawValue)</td>"
                + "<td>\(entry.attempts)</td><td>\(AdminPage.escape(entry.lastError ?? ""))</td><td>\(AdminFormat.date(entry.createdAt))</td>"
                + "<td>\(when)</td><td>\(action)</td></tr>"
        }
        content += "</tbody></table>"
        return try await renderWithNotices(title: view.title, content: content, session: session, current: "/admin/\(view.slug)")
    }
}
