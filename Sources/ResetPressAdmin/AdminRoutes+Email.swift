import Foundation
import HTTPTypes
import Hummingbird
import ResetPassword
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage

extension AdminRoutes {
    /// The mode switch and the subject/body editor with its live preview.
    func addEmailRoutes(to router: Router<ResetPressRequestContext>) {
        router.get("/admin/email", use: page { _, _, session in try await emailPage(session) })
        router.post("/admin/email", use: form { request, context, session, parameters in
            let form = SettingsForm(snapshot: site.settings.snapshot)
            let (changes, submitted) = form.changes(from: parameters, keys: EmailPreview.keys)
            guard !changes.isEmpty else {
                return try await redirect("/admin/email", session: session, notice: AdminNotice(kind: "success", text: "Nothing changed."))
            }
            do {
                try await site.settings.set(
                    changes, context: auth.hookContext(request, context), actor: auth.admin(request, context), at: site.now)
                return try await redirect("/admin/email", session: session, notice: AdminNotice(kind: "success", text: "Reset email saved."))
            } catch let error as SettingsWriteError {
                return try await emailPage(
                    session, submitted: submitted, errors: SettingsForm.messagesByKey(error), notices: [Self.refusedWriteNotice(error)],
                    status: .badRequest)
            }
        })
        router.get("/admin/email/preview", use: page { _, _, _ in
            EmailPreview.frameDocument(try await EmailPreview(site: site).render([:]))
        })
        router.post("/admin/email/preview", use: form { _, _, _, parameters in
            let (changes, _) = SettingsForm(snapshot: site.settings.snapshot).changes(from: parameters, keys: EmailPreview.keys)
            return EmailPreview.frameDocument(try await EmailPreview(site: site).render(changes, locale: parameters["preview_locale"]))
        })
    }

    /// The editor: the mode as radio buttons, the custom mail's type, subject and body, and the
    /// preview of the mail the next reset sends (subject and text here, the body in a frame).
    func emailPage(
        _ session: AdminSession, submitted: [String: String] = [:], errors: [String: [String]] = [:], notices extra: [AdminNotice] = [],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let snapshot = site.settings.snapshot
        let form = SettingsForm(snapshot: snapshot)
        let modeKey = ResetPasswordSettings.mode.name
        let modeSource = snapshot.resolved(modeKey)?.source ?? .defaultValue
        let currentMode = submitted[modeKey] ?? snapshot[ResetPasswordSettings.mode].rawValue
        let descriptions: [ResetMode: String] = [
            .storeOnly: "No email: the code is stored and your site delivers it (the reset_password_code_created action).",
            .defaultEmail: "The shipped templates under templates/password/ (email.tpl and email.html).",
            .customEmail: "Your own subject and body, below.",
        ]
        var content = "<form method=\"post\" action=\"/admin/email\" id=\"email-form\" class=\"email-editor\">\(AdminPage.csrfInput(session))"
        content += "<fieldset class=\"modes\" id=\"mode-switch\"><legend>Mode</legend>"
        for mode in ResetMode.allCases {
            let id = "mode-\(mode.rawValue)"
            content += "<label class=\"mode\" for=\"\(id)\"><input type=\"radio\" name=\"\(AdminPage.escape(modeKey))\" id=\"\(id)\" "
                + "value=\"\(mode.rawValue)\"\(mode.rawValue == currentMode ? " checked" : "")\(modeSource.isPinned ? " disabled" : "")>"
                + "<strong>\(mode.rawValue)</strong> <span>\(AdminPage.escape(descriptions[mode] ?? ""))</span></label>"
        }
        content += "<p class=\"source\">\(SettingsForm.sourceText(modeSource, key: modeKey))</p>"
        content += (errors[modeKey] ?? []).map { "<p class=\"field-error\" role=\"alert\">\(AdminPage.escape($0))</p>" }.joined()
        content += "</fieldset><table class=\"form-table\" role=\"presentation\">"
        for key in EmailPreview.keys.dropFirst() {
            guard let definition = snapshot.definition(key) else { continue }
            content += form.row(definition, submitted: submitted[key], errors: errors[key] ?? [])
        }
        content += "</table>"
        let template = snapshot[ResetPasswordSettings.emailTemplate]
        if !template.isEmpty {
            content += "<p class=\"notice warning\">Custom mail uses the file templates/password/\(AdminPage.escape(template)) "
                + "(reset_password.email_template) instead of the body above.</p>"
        }
        content += "<p class=\"description\">Variables: {{CODE}}, {{RESET_LINK}}, {{NAME}}, {{USERNAME}}, {{EMAIL}}, {{NICKNAME}}, "
            + "{{FIRST_NAME}}, {{LAST_NAME}}, {{SITE}}, {{SITE_NAME}}, {{IP}}, {{EXPIRES_AT}}, {{LOCALE}}. A custom body needs {{CODE}} or {{RESET_LINK}}.</p>"
        content += "<p class=\"submit\"><button type=\"submit\" class=\"primary\" id=\"save-email\">Save</button> "
            + "<button type=\"submit\" formaction=\"/admin/email/preview\" formtarget=\"preview-frame\" id=\"preview-button\">Preview</button> "
            + "<label for=\"preview-locale\">in language</label> <input type=\"text\" name=\"preview_locale\" id=\"preview-locale\" "
            + "size=\"6\" placeholder=\"fr\"></p></form>"
        content += try await previewSection(submitted: submitted)
        let pending = try await site.sessions.takeNotices(id: session.id)
        return try pages.render(
            title: "Reset email", content: "<div class=\"editor\">\(content)</div>", session: session, current: "/admin/email",
            notices: extra + pending, status: status)
    }

    /// The preview column, filled for the submitted draft (after a refused save) or the saved settings.
    private func previewSection(submitted: [String: String]) async throws -> String {
        var draft: [String: SettingsEngine.Input] = [:]
        for (key, text) in submitted where EmailPreview.keys.contains(key) { draft[key] = .text(text) }
        let outcome = try await EmailPreview(site: site).render(draft)
        var subject = "", text = "", status = ""
        switch outcome {
        case .mail(let mailSubject, let mailText, _): (subject, text) = (mailSubject, mailText)
        case .noMail(let reason): status = reason
        case .invalid(let messages): status = messages.map(\.description).joined(separator: " ")
        }
        let to = ResetPasswordService.sampleUser
        return "<section class=\"preview\" id=\"preview\"><h2>Preview</h2>"
            + "<p class=\"preview-to\">To: \(AdminPage.escape("\(to.displayName) <\(to.email)>")) (a sample user; the code and link are samples)</p>"
            + "<p class=\"preview-subject\"><strong>Subject:</strong> <span id=\"preview-subject\">\(AdminPage.escape(subject))</span></p>"
            + "<p class=\"description\" id=\"preview-status\" role=\"status\">\(AdminPage.escape(status))</p>"
            + "<iframe name=\"preview-frame\" id=\"preview-frame\" title=\"Email preview\" sandbox src=\"/admin/email/preview\"></iframe>"
            + "<details><summary>Text part</summary><pre id=\"preview-text\">\(AdminPage.escape(text))</pre></details></section>"
    }
}
