import Foundation
import HTTPTypes
import Hummingbird
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage

extension AdminRoutes {
    /// The settings page: every registered setting, a section per group.
    func settingsPage(
        _ session: AdminSession, submitted: [String: String] = [:], errors: [String: [String]] = [:], notices extra: [AdminNotice] = [],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let form = SettingsForm(snapshot: site.settings.snapshot)
        let content = "<p class=\"intro\">Settings pinned by an environment variable or a file under <code>settings/</code> are read-only "
            + "here. Saving writes the fields you changed, all together or none of them.</p>"
            + "<form method=\"post\" action=\"/admin/settings\" id=\"settings-form\" class=\"settings\">\(AdminPage.csrfInput(session))"
            + form.sections(submitted: submitted, errors: errors)
            + "<p class=\"submit\"><button type=\"submit\" class=\"primary\" id=\"save-settings\">Save changes</button></p></form>"
        let pending = try await site.sessions.takeNotices(id: session.id)
        return try pages.render(
            title: "Settings", content: content, session: session, current: "/admin",
            notices: extra + pending, status: status)
    }

    /// Saves the settings form atomically; a refused write shows every message beside its field.
    func saveSettings(
        _ request: Request, _ context: ResetPressRequestContext, _ session: AdminSession, _ parameters: RequestParameters
    ) async throws -> Response {
        let snapshot = site.settings.snapshot
        let form = SettingsForm(snapshot: snapshot)
        let (changes, submitted) = form.changes(from: parameters, keys: snapshot.allDefinitions.map(\.name))
        guard !changes.isEmpty else {
            return try await redirect("/admin", session: session, notice: AdminNotice(kind: "success", text: "Nothing changed."))
        }
        do {
            let changed = try await site.settings.set(
                changes, context: auth.hookContext(request, context), actor: auth.admin(request, context), at: site.now)
            let text = changed.isEmpty ? "Nothing changed." : "Settings saved: \(changed.joined(separator: ", "))."
            return try await redirect("/admin", session: session, notice: AdminNotice(kind: "success", text: text))
        } catch let error as SettingsWriteError {
            return try await settingsPage(
                session, submitted: submitted, errors: SettingsForm.messagesByKey(error),
                notices: [Self.refusedWriteNotice(error)], status: .badRequest)
        }
    }

    /// The notice above a form whose save was refused.
    static func refusedWriteNotice(_ error: SettingsWriteError) -> AdminNotice {
        let count = error.messages.count
        return AdminNotice(kind: "error", text: "Nothing was saved: \(count) problem\(count == 1 ? "" : "s") to fix, shown beside the fields.")
    }
}
