import Foundation
import ResetPressTemplates

/// Per-call choices of a Coronium `sendPasswordResetLink` that replace the configured mail.
struct MailOverride: Sendable {
    /// The sender address instead of `mail.from`.
    var from: String?
    /// The subject instead of the template's.
    var subject: String?
    /// A file under `templates/password/`; `.html` files are sent as HTML.
    var templateName: String?

    /// The subject and body this override sends. A name that is not a file in `directory`
    /// (``PasswordTemplateName``), or a template without `{* reset_link *}` (Coronium's one required
    /// key), throws ``PasswordTemplateError`` before anything is queued.
    func bodies(templates: TemplateCache, directory: URL) throws -> MailBodies {
        let name = templateName ?? "link.html"
        let source = try templates.template(at: PasswordTemplateName.file(name, in: directory)).source
        let (fileSubject, body) = MailBodies.splitSubject(source)
        guard templates.parsed(body).usesVariable("RESET_LINK") else { throw PasswordTemplateError.missingResetLink(name) }
        let subject = subject ?? fileSubject ?? "Reset your password"
        return name.hasSuffix(".html") || name.hasSuffix(".htm")
            ? MailBodies(subject: subject, text: nil, html: body)
            : MailBodies(subject: subject, text: body, html: nil)
    }
}
