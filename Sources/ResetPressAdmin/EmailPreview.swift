import Foundation
import HTTPTypes
import Hummingbird
import ResetPassword
import ResetPressEngine
import ResetPressMail
import ResetPressUsers

/// The reset mail as the next reset would send it, for a sample user, under the settings in
/// force or under a draft of the editor's fields (nothing is saved).
struct EmailPreview {
    /// What a preview shows.
    enum Outcome: Sendable {
        /// The rendered mail; `text` is the text part (generated from the HTML when there is none).
        case mail(subject: String, text: String, html: String?)
        /// No mail is sent in this configuration; `reason` says why.
        case noMail(reason: String)
        /// The draft has values that cannot be used.
        case invalid([SettingsMessage])
    }

    /// The settings the mail editor edits.
    static let keys = [
        ResetPasswordSettings.mode.name, ResetPasswordSettings.emailType.name, ResetPasswordSettings.emailSubject.name,
        ResetPasswordSettings.emailBody.name,
    ]

    let site: AdminSite

    /// Renders the preview with `changes` applied to the settings in force, in `locale` (a BCP 47
    /// tag; nil or not a tag: `site.locale`).
    func render(_ changes: [String: SettingsEngine.Input], locale: String? = nil) async throws -> Outcome {
        guard let service = site.service else {
            return .noMail(reason: "The reset plugin is turned off (plugins.reset_password.active), so no reset mail is sent.")
        }
        let snapshot: SettingsSnapshot
        do {
            snapshot = try await site.settings.snapshot.applying(changes)
        } catch let problems as SettingsWriteError {
            return .invalid(problems.messages)
        }
        let locale = locale.flatMap(LocaleTag.normalized)
        guard let message = try await service.previewResetMail(for: ResetPasswordService.sampleUser, settings: snapshot, locale: locale) else {
            return .noMail(reason: "In store_only mode no email is sent: the code is stored and the reset_password_code_created action fires.")
        }
        let text = message.textBody.isEmpty ? message.htmlBody.map(HTMLToText.convert) ?? "" : message.textBody
        return .mail(subject: message.subject, text: text, html: message.htmlBody)
    }

    /// The Content-Security-Policy of the preview frame: a sandbox with no script, where the
    /// mail's own inline styles apply; only the admin page may frame it.
    static let frameContentSecurityPolicy =
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; font-src data:; frame-ancestors 'self'"

    /// The document shown in the preview frame: the HTML part as is (it cannot run script
    /// there), else the text part, or why there is nothing to show.
    static func frameDocument(_ outcome: Outcome) -> Response {
        let body: String
        switch outcome {
        case .mail(_, let text, let html):
            body = html ?? frame("<pre id=\"preview-text-part\" style=\"white-space: pre-wrap; font: 14px/1.5 Menlo, Consolas, monospace; margin: 1rem;\">\(AdminPage.escape(text))</pre>")
        case .noMail(let reason):
            body = frame("<p style=\"font: 14px/1.5 sans-serif; margin: 1rem; color: #50575e;\">\(AdminPage.escape(reason))</p>")
        case .invalid(let messages):
            body = frame(messages.map { "<p style=\"font: 14px/1.5 sans-serif; margin: 1rem; color: #b32d2e;\">\(AdminPage.escape($0.description))</p>" }.joined())
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("Content-Security-Policy")!] = frameContentSecurityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "SAMEORIGIN"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private static func frame(_ content: String) -> String {
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Preview</title></head><body>\(content)</body></html>"
    }
}
