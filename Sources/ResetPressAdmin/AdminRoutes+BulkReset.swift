import Foundation
import HTTPTypes
import Hummingbird
import ResetPassword
import ResetPressHTTP
import ResetPressStorage

extension AdminRoutes {
    /// The Bulk reset page (issue 15, item 2): `resetpress reset send --all | --emails | --imported-before`
    /// from the admin, in two steps. The form's POST only counts the matching users and shows what
    /// will happen, with a one-time confirmation token; the confirm POST (that token and the CSRF
    /// token) queues the run on the site's ``BulkResetWorker`` and redirects to its status page.
    func addBulkResetRoutes(to router: Router<ResetPressRequestContext>) {
        router.get("/admin/bulk-reset", use: page { _, _, session in try await bulkResetPage(session) })
        router.post("/admin/bulk-reset", use: form { _, _, session, parameters in try await reviewBulkReset(session, parameters) })
        router.post("/admin/bulk-reset/confirm", use: form { httpRequest, context, session, parameters in
            guard let worker = site.bulkResets else { return try await bulkResetPage(session) }
            guard let request = site.confirmations.take(parameters["confirmation"], sessionID: session.id, now: site.now) else {
                let content = "<p id=\"bulk-reset-refused\">This confirmation is missing, was already used or has expired, so "
                    + "nothing was sent. Fill in the bulk reset form again and review what it will do.</p>"
                    + "<p><a href=\"/admin/bulk-reset\">Back to Bulk reset</a></p>"
                return try pages.render(title: "Bulk reset", content: content, session: session, current: "/admin/bulk-reset", status: .badRequest)
            }
            do {
                try worker.start(request)
            } catch let error as BulkResetWorkerError {
                return try await redirect("/admin/bulk-reset", session: session, notice: AdminNotice(kind: "error", text: error.description))
            }
            try await site.record(
                "bulk_reset.started", request.runID, detail: BulkResetText.selection(request.selection) + (request.expirePasswords ? ", passwords expired" : ""),
                by: auth.admin(httpRequest, context))
            return try await redirect(
                Self.runPath(request.runID), session: session,
                notice: AdminNotice(kind: "success", text: "Bulk reset \(request.runID) started: the server queues the mail in the background."))
        })
        router.get("/admin/bulk-reset/runs/:id", use: page { _, context, session in
            guard let id = context.parameters.get("id"), BulkResetRunner.isRunID(id) else { throw HTTPError(.notFound) }
            return try await bulkResetRunPage(session, runID: id)
        })
    }

    /// The status page of the run `runID`.
    static func runPath(_ runID: String) -> String { "/admin/bulk-reset/runs/\(runID)" }

    /// The form, and the runs this server started.
    private func bulkResetPage(_ session: AdminSession, input: BulkResetInput = BulkResetInput(), notices: [AdminNotice] = [],
                               status: HTTPResponse.Status = .ok) async throws -> Response {
        let e = AdminPage.escape
        var content = "<p class=\"intro\">After a breach: send every chosen user a fresh reset link (the link mail, whatever the mode), "
            + "optionally making their current password stop working at once. The same as <code>resetpress reset send --all</code> "
            + "on the server. You review what will happen before anything is sent.</p>"
        guard let worker = site.bulkResets else {
            content += "<p id=\"bulk-reset-unavailable\">Bulk resets are not available on this site.</p>"
            return try pages.render(title: "Bulk reset", content: content, session: session, current: "/admin/bulk-reset", notices: notices)
        }
        let checked = { (value: String) in input.who == value ? " checked" : "" }
        content += "<form method=\"post\" action=\"/admin/bulk-reset\" id=\"bulk-reset-form\">\(AdminPage.csrfInput(session))"
            + "<table class=\"form-table\" role=\"presentation\"><tr><th>Who</th><td><fieldset><legend class=\"screen-reader-text\">Who</legend>"
            + "<p><label><input type=\"radio\" name=\"selection\" value=\"all\" id=\"selection-all\"\(checked("all"))> All users</label></p>"
            + "<p><label><input type=\"radio\" name=\"selection\" value=\"emails\" id=\"selection-emails\"\(checked("emails"))> "
            + "The users with these emails</label><br><textarea name=\"emails\" id=\"emails\" rows=\"6\" cols=\"50\" "
            + "aria-label=\"Emails, one per line\">\(e(input.emails))</textarea></p>"
            + "<p class=\"description\">One per line (commas and spaces separate too); lines starting with # are skipped.</p>"
            + "<p><label><input type=\"radio\" name=\"selection\" value=\"imported_before\" id=\"selection-imported-before\""
            + "\(checked("imported_before"))> The users created before</label> <input type=\"date\" name=\"imported_before\" "
            + "id=\"imported_before\" value=\"\(e(input.importedBefore))\" aria-label=\"Created before (UTC)\"></p></fieldset></td></tr>"
            + "<tr><th>Passwords</th><td><label><input type=\"checkbox\" name=\"expire_passwords\" value=\"1\" id=\"expire_passwords\""
            + "\(input.expirePasswords ? " checked" : "")> Expire their current passwords (they must reset to sign in again)</label></td></tr>"
            + "</table><p class=\"submit\"><button type=\"submit\" class=\"primary\" id=\"bulk-reset-review\">Review</button></p></form>"
        let runs = worker.recent
        if !runs.isEmpty {
            content += "<h2>Runs started on this server</h2><table class=\"list\" id=\"bulk-reset-runs\"><thead><tr><th>Run</th>"
                + "<th>Who</th><th>State</th><th>Queued</th><th>Requested</th></tr></thead><tbody>"
            for run in runs {
                content += "<tr><td><a href=\"\(e(Self.runPath(run.request.runID)))\">\(e(run.request.runID))</a></td>"
                    + "<td>\(e(BulkResetText.selection(run.request.selection)))</td><td>\(e(BulkResetText.state(run.state)))</td>"
                    + "<td>\(run.progress.tally.queued)</td><td>\(e(AdminFormat.date(run.requestedAt)))</td></tr>"
            }
            content += "</tbody></table>"
        }
        return try await renderWithNotices(
            title: "Bulk reset", content: content, session: session, current: "/admin/bulk-reset", shown: notices, status: status)
    }

    /// The first step: counts the matching users and asks for the confirm; sends nothing.
    private func reviewBulkReset(_ session: AdminSession, _ parameters: RequestParameters) async throws -> Response {
        let input = BulkResetInput(parameters)
        guard let runner = site.bulkResets?.runner else {
            return try await bulkResetPage(
                session, input: input, notices: [AdminNotice(kind: "error", text: "The reset plugin is inactive: nothing can be sent.")],
                status: .conflict)
        }
        let selection: BulkResetSelection
        do {
            selection = try input.selection()
        } catch let problem as BulkResetInput.Problem {
            return try await bulkResetPage(session, input: input, notices: [AdminNotice(kind: "error", text: problem.description)], status: .badRequest)
        }
        let (matched, unknown) = try await runner.match(selection)
        let request = BulkResetRequest(runID: BulkResetRunner.newRunID(now: site.now), selection: selection, expirePasswords: input.expirePasswords)
        let e = AdminPage.escape
        var content = "<div id=\"bulk-reset-confirmation\"><p id=\"bulk-reset-summary\">Who: \(e(BulkResetText.selection(selection))). "
            + "<strong><span id=\"bulk-reset-count\">\(matched)</span> user\(matched == 1 ? "" : "s")</strong> match"
            + "\(matched == 1 ? "es" : "") now.</p>"
        if unknown > 0 {
            content += "<p id=\"bulk-reset-unknown\">\(unknown) listed email\(unknown == 1 ? " matches" : "s match") no user and will be skipped.</p>"
        }
        guard matched > 0 else {
            content += "<p id=\"bulk-reset-nothing\">No user matches, so there is nothing to send.</p>"
                + "<p><a href=\"/admin/bulk-reset\">Back to Bulk reset</a></p></div>"
            return try pages.render(title: "Review the bulk reset", content: content, session: session, current: "/admin/bulk-reset")
        }
        content += "<p id=\"bulk-reset-effect\">Each of them gets a fresh reset link by mail; the mail queue delivers them over the "
            + "next minutes. Users that allow_password_reset refuses, or that recently said \u{201C}that wasn't me\u{201D}, are skipped.</p>"
        content += input.expirePasswords
            ? "<p id=\"bulk-reset-expire\" class=\"warning\"><strong>Their current passwords stop working at once:</strong> "
                + "they cannot sign in until they reset.</p>"
            : "<p id=\"bulk-reset-expire\">Their current passwords keep working.</p>"
        let token = site.confirmations.add(request, sessionID: session.id, now: site.now)
        content += "<p>Run id: <code id=\"bulk-reset-run-id\">\(e(request.runID))</code></p>"
            + "<form method=\"post\" action=\"/admin/bulk-reset/confirm\" id=\"bulk-reset-confirm-form\">\(AdminPage.csrfInput(session))"
            + "<input type=\"hidden\" name=\"confirmation\" value=\"\(e(token))\">"
            + "<p class=\"submit\"><button type=\"submit\" class=\"danger\" id=\"bulk-reset-confirm\">Send \(matched) reset "
            + "mail\(matched == 1 ? "" : "s")\(input.expirePasswords ? " and expire their passwords" : "")</button> "
            + "<a href=\"/admin/bulk-reset\" id=\"bulk-reset-cancel\">Cancel</a></p></form></div>"
        return try pages.render(title: "Review the bulk reset", content: content, session: session, current: "/admin/bulk-reset")
    }

    /// A run's status, as this server knows it, and the users sent as the store knows it.
    private func bulkResetRunPage(_ session: AdminSession, runID: String) async throws -> Response {
        guard let worker = site.bulkResets else { throw HTTPError(.notFound) }
        let e = AdminPage.escape
        // The status first: a run it shows finished has recorded every user it sent, so the count read after agrees.
        let known = worker.status(runID: runID)
        let sent = try await worker.sentCount(runID: runID)
        var content = "<p>Run <code id=\"run-id\">\(e(runID))</code> · <a href=\"\(e(Self.runPath(runID)))\" id=\"run-refresh\">Refresh</a>"
            + " · <a href=\"/admin/mail\">Mail queue</a></p>"
        if let status = known {
            let progress = status.progress
            let tally = progress.tally
            let rows: [(String, String, String)] = [
                ("run-state", "State", BulkResetText.state(status.state)),
                ("run-selection", "Who", BulkResetText.selection(status.request.selection)),
                ("run-expire", "Expire passwords", status.request.expirePasswords ? "yes" : "no"),
                ("run-scanned", "Looked at", "\(progress.scanned) of \(progress.total)"),
                ("run-queued", "Mail queued", String(tally.queued)),
                ("run-already-sent", "Already sent by this run", String(tally.alreadySent)),
                ("run-vetoed", "Refused by allow_password_reset", String(tally.vetoed)),
                ("run-blocked", "Blocked by a recent cancel", String(tally.blocked)),
                ("run-not-selected", "Created on or after the date", String(tally.notSelected)),
                ("run-unknown", "Emails matching no user", String(tally.unknownEmails)),
                ("run-requested", "Requested", AdminFormat.date(status.requestedAt)),
                ("run-ended", "Ended", status.endedAt.map(AdminFormat.date) ?? "–"),
            ]
            content += "<table class=\"list\" id=\"bulk-reset-run\"><tbody>"
                + rows.map { "<tr><th>\(e($0.1))</th><td id=\"\($0.0)\">\(e($0.2))</td></tr>" }.joined() + "</tbody></table>"
            if status.state == .stopped {
                content += "<p id=\"run-resume\">Resume it on the server with <code>resetpress reset send "
                    + "\(e(BulkResetText.options(status.request))) --run \(e(runID))</code>.</p>"
            }
        } else {
            content += "<p id=\"run-unknown\">This server did not start this run since it last started (another server may have).</p>"
        }
        content += "<p>Users sent by this run, on every server: <span id=\"run-sent\">\(sent)</span>.</p>"
        let counts = try await site.outbox.counts()
        content += "<p id=\"run-outbox\">Mail queue now: " + QueueStatus.allCases.map { state in
            "\(e(state.rawValue)) <span id=\"outbox-\(e(state.rawValue))\">\(counts[state] ?? 0)</span>"
        }.joined(separator: " · ") + "</p>"
        return try await renderWithNotices(title: "Bulk reset run", content: content, session: session, current: "/admin/bulk-reset")
    }
}

/// The Bulk reset form's fields, as sent (kept to fill the form again after a mistake).
struct BulkResetInput {
    /// Why the form was refused.
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// `all`, `emails` or `imported_before`.
    var who = "all"
    var emails = ""
    var importedBefore = ""
    var expirePasswords = false

    init() {}

    init(_ parameters: RequestParameters) {
        who = parameters["selection"] ?? ""
        emails = parameters["emails"] ?? ""
        importedBefore = (parameters["imported_before"] ?? "").trimmingCharacters(in: .whitespaces)
        expirePasswords = parameters["expire_passwords"] == "1"
    }

    /// The users the fields choose.
    func selection() throws -> BulkResetSelection {
        switch who {
        case "all":
            return .all
        case "emails":
            let list = BulkResetSelection.emails(in: emails)
            guard !list.isEmpty else { throw Problem(description: "Paste at least one email, one per line.") }
            guard list.count <= 10_000 else { throw Problem(description: "Paste at most 10000 emails; use resetpress reset send --emails FILE for more.") }
            return .emails(list)
        case "imported_before":
            guard let date = BulkResetSelection.date(importedBefore) else {
                throw Problem(description: "Give the date as YYYY-MM-DD (UTC).")
            }
            return .createdBefore(date)
        default:
            throw Problem(description: "Choose who gets the mail: all users, a list of emails, or the users created before a date.")
        }
    }
}

/// How the admin words a bulk reset.
enum BulkResetText {
    /// Who a selection chooses, as a phrase.
    static func selection(_ selection: BulkResetSelection) -> String {
        switch selection {
        case .all: "all users"
        case .emails(let emails): "the users of a list of \(emails.count) email\(emails.count == 1 ? "" : "s")"
        case .createdBefore(let date): "the users created before \(AdminFormat.date(date))"
        }
    }

    /// A run's state, as a phrase.
    static func state(_ state: BulkResetStatus.State) -> String {
        switch state {
        case .waiting: "waiting for the run before it"
        case .running: "running"
        case .finished: "finished"
        case .stopped: "stopped (the server stopped)"
        case .failed(let message): "failed: \(message)"
        }
    }

    /// The `reset send` options of the same selection (the emails go in a file).
    static func options(_ request: BulkResetRequest) -> String {
        let who = switch request.selection {
        case .all: "--all"
        case .emails: "--emails FILE"
        case .createdBefore(let date): "--imported-before \(ISO8601DateFormatter().string(from: date))"
        }
        return who + (request.expirePasswords ? " --expire-passwords" : "")
    }
}
