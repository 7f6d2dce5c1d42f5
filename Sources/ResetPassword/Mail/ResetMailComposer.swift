import Foundation
import ResetPressDelivery
import ResetPressEngine
import ResetPressMail
import ResetPressStorage
import ResetPressTemplates
import ResetPressUsers

/// Renders the mail a reset sends, per mode, through the catalogue's filters (SPEC §3, §5).
///
/// Order: the body and subject templates pass `reset_password_custom_email_template` and
/// `reset_password_email_subject`, then the variables pass `reset_password_email_variables`,
/// then everything is rendered in one pass, and the finished message passes `reset_password_mail`.
struct ResetMailComposer: Sendable {
    let hooks: HookRegistry
    let templates: TemplateCache
    /// `templates/password/` under the site root.
    let directory: URL
    /// ``directory``'s path: the templates of each mail are found by plain path joins, which cost a
    /// fraction of Foundation's URL appending.
    private let directoryPath: String

    /// The composer of the site at `root`.
    init(hooks: HookRegistry, root: URL, templates: TemplateCache) {
        self.hooks = hooks
        self.templates = templates
        directory = root.appendingPathComponent("templates/password")
        directoryPath = directory.path
    }

    /// The variables every reset mail knows; `cancelToken` makes `CANCEL_LINK` ("that wasn't me").
    func variables(
        user: User, code: String?, linkToken: String?, cancelToken: String? = nil, expiresAt: Date?, clientIP: String, settings: SettingsSnapshot
    ) -> TemplateVariables {
        let siteURL = settings[CoreSettings.siteURL]
        // One literal: its storage is sized once, where thirteen settings grew it four times.
        return [
            "CODE": code ?? "",
            "RESET_LINK": linkToken.map { "\(siteURL)/_resetpassword?code=\($0)" } ?? "",
            "CANCEL_LINK": cancelToken.map { "\(siteURL)/_resetpassword/cancel?code=\($0)" } ?? "",
            "NAME": "\(user.firstName) \(user.lastName)".trimmingBlanks(),
            "USERNAME": user.login,
            "EMAIL": user.email,
            "NICKNAME": user.nickname,
            "FIRST_NAME": user.firstName,
            "LAST_NAME": user.lastName,
            "SITE": siteURL,
            "SITE_NAME": settings[CoreSettings.siteName],
            "IP": clientIP,
            "EXPIRES_AT": expiresAt.map(MailDate.readable) ?? "",
        ]
    }

    /// The mail carrying a new code, or nil in `store_only` mode.
    func resetMail(
        user: User, variables: TemplateVariables, settings: SettingsSnapshot, context: HookContext, override: MailOverride? = nil
    ) async throws -> OutboxMail? {
        let languages = LocalizedTemplates(userLocale: user.locale, context: context, settings: settings)
        let bodies: MailBodies
        if let override {
            bodies = try override.bodies(templates: templates, directory: directory)
        } else {
            switch settings[ResetPasswordSettings.mode] {
            case .storeOnly: return nil
            case .defaultEmail: bodies = try defaultBodies(named: "email", languages: languages)
            case .customEmail: bodies = try customBodies(settings, languages: languages)
            }
        }
        return try await compose(bodies, kind: "reset_code", user: user, variables: variables, settings: settings, context: context, fromOverride: override?.from)
    }

    /// The "password changed" notice (`templates/password/changed.tpl`).
    func changedNotice(user: User, variables: TemplateVariables, settings: SettingsSnapshot, context: HookContext) async throws -> OutboxMail {
        let languages = LocalizedTemplates(userLocale: user.locale, context: context, settings: settings)
        return try await compose(try defaultBodies(named: "changed", languages: languages), kind: "password_changed", user: user, variables: variables, settings: settings, context: context, fromOverride: nil)
    }

    // MARK: - Bodies

    /// `<name>.tpl` (subject line, blank line, text body) and, when present, the `<name>.html` beside
    /// it, in the best language that has the `.tpl` (see ``LocalizedTemplates``).
    private func defaultBodies(named name: String, languages: LocalizedTemplates) throws -> MailBodies {
        let (textPath, locale) = languages.resolvePath("\(name).tpl", inDirectory: directoryPath)
        let text = try templates.template(atPath: textPath)
        let (subject, body) = MailBodies.splitSubject(text.source)
        let htmlPath = String(textPath.dropLast("\(name).tpl".count)) + "\(name).html"
        let html = FileManager.default.fileExists(atPath: htmlPath) ? try templates.template(atPath: htmlPath).source : nil
        return MailBodies(subject: subject ?? "Reset your password", text: body, html: html, locale: locale)
    }

    /// The custom mode's mail. Each part follows the languages on its own: the template file
    /// (`<locale>/<file>` → `<language>/<file>` → `<file>`), else the body setting
    /// (`email_body.<locale>` → `email_body.<language>` → `email_body`), and the subject setting likewise.
    private func customBodies(_ settings: SettingsSnapshot, languages: LocalizedTemplates) throws -> MailBodies {
        let file = settings[ResetPasswordSettings.emailTemplate]
        let body: String
        let locale: String
        if file.isEmpty {
            let chosen = languages.first { ResetPasswordSettings.emailBodies.value(suffix: $0, in: settings) }
            (body, locale) = (chosen.value ?? settings[ResetPasswordSettings.emailBody], chosen.locale)
        } else {
            try PasswordTemplateName.check(file)
            let resolved = languages.resolve(file, in: directory)
            try PasswordTemplateName.checkInside(resolved.url, directory: directory)
            (body, locale) = (try templates.template(at: resolved.url).source, resolved.locale)
        }
        let subject = languages.first { ResetPasswordSettings.emailSubjects.value(suffix: $0, in: settings) }.value
            ?? settings[ResetPasswordSettings.emailSubject]
        switch settings[ResetPasswordSettings.emailType] {
        case .text: return MailBodies(subject: subject, text: body, html: nil, locale: locale)
        case .html: return MailBodies(subject: subject, text: nil, html: body, locale: locale)
        }
    }

    // MARK: - Rendering

    private func compose(
        _ bodies: MailBodies, kind: String, user: User, variables: TemplateVariables, settings: SettingsSnapshot,
        context: HookContext, fromOverride: String?
    ) async throws -> OutboxMail {
                let subjectSource = await hooks.applyFilters("reset_password_email_subject", bodies.subject, context: context)
        var textSource = bodies.text
        if let text = textSource { textSource = await filterTemplate(text, context: context) }
        var htmlSource = bodies.html
        if let html = htmlSource { htmlSource = await filterTemplate(html, context: context) }
        var variables = variables
        if variables["LOCALE"] == nil { variables["LOCALE"] = bodies.locale }
        let filled = await hooks.applyFilters("reset_password_email_variables", variables, context: context)

        let siteName = filled["SITE_NAME"] ?? settings[CoreSettings.siteName]
        let from = try MailAddress(email: fromOverride ?? settings[MailSettings.from], name: siteName)
        var message = MailMessage(
            from: from,
            to: [try MailAddress(email: user.email, name: user.displayName.isEmpty ? nil : user.displayName)],
            subject: templates.parsed(subjectSource).renderSubject(filled),
            textBody: textSource.map { templates.parsed($0).render(filled, as: .text) } ?? "",
            htmlBody: htmlSource.map { templates.parsed($0).render(filled, as: .html) })
        message = await hooks.applyFilters("reset_password_mail", message, context: context)
        return OutboxMail(kind: kind, message: message, messageID: MessageID.generate(domain: message.from.domain), userID: user.id)
    }
}

extension ResetMailComposer {
    /// The variables a reset mail must keep once it has them: without one the mail is useless.
    static let codeVariables = ["CODE", "RESET_LINK"]

    /// Runs `reset_password_custom_email_template` over a body template; a filter's result that is
    /// empty, or that drops every code placeholder the template had, is bad output and skipped.
    func filterTemplate(_ source: String, context: HookContext) async -> String {
        let templates = templates
        let carriesCode = Self.codeVariables.contains(where: templates.parsed(source).usesVariable)
        return await hooks.applyFilters("reset_password_custom_email_template", source, context: context) { result in
            if result.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "the template is empty" }
            guard carriesCode, !Self.codeVariables.contains(where: templates.parsed(result).usesVariable) else { return nil }
            return "the template lost its {{CODE}} and {{RESET_LINK}} placeholders"
        }
    }
}

/// The unrendered parts of one mail.
struct MailBodies: Sendable {
    var subject: String
    var text: String?
    var html: String?
    /// The language tag the bodies are in, `{{LOCALE}}`; empty when unknown (an override's files).
    var locale = ""

    /// Splits a leading `Subject: ...` line (and the blank line after it) off a template.
    /// The line ends at its first LF byte (a CRLF's CR is trimmed with the subject), found by byte: a search
    /// by `Character` would not see the LF of a CRLF, which is one character.
    static func splitSubject(_ source: String) -> (subject: String?, body: String) {
        guard source.hasPrefix("Subject:") else { return (nil, source) }
        let utf8 = source.utf8
        let subjectStart = utf8.index(utf8.startIndex, offsetBy: "Subject:".utf8.count)
        guard let newline = utf8[subjectStart...].firstIndex(of: 0x0A) else {
            return (source[subjectStart...].trimmingWhiteSpaceAndNewlines(), "")
        }
        let subject = source[subjectStart..<newline].trimmingWhiteSpaceAndNewlines()
        var body = source[utf8.index(after: newline)...]
        if body.utf8.starts(with: [0x0D, 0x0A]) {
            body = body[body.utf8.index(body.startIndex, offsetBy: 2)...]
        } else if body.utf8.first == 0x0A {
            body = body[body.utf8.index(after: body.startIndex)...]
        }
        return (subject, String(body))
    }
}
