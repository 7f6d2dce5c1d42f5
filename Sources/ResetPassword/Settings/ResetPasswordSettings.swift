import Foundation
import ResetPressEngine
import ResetPressTemplates
import ResetPressUsers

/// How a reset code reaches the user (SJL's flow 0/1/2).
public enum ResetMode: String, SettingValueConvertible, CaseIterable, Sendable {
    /// The code is stored and `reset_password_code_created` fires; the site delivers it itself.
    case storeOnly = "store_only"
    /// The shipped templates under `templates/password/`.
    case defaultEmail = "default_email"
    /// The owner's subject and body.
    case customEmail = "custom_email"
}

/// The body type of custom mail.
public enum EmailType: String, SettingValueConvertible, CaseIterable, Sendable {
    case text, html
}

/// The alphabet of reset codes.
public enum CodeCharset: String, SettingValueConvertible, CaseIterable, Sendable {
    /// a–z, A–Z, 0–9.
    case alnum
    /// 0–9 only, for codes typed from a phone; needs the attempt limit.
    case digits
}

/// The reset module's settings (SPEC §2).
public enum ResetPasswordSettings {
    public static let enabled = SettingKey(
        "reset_password.enabled", default: true, kind: .bool, description: "Allow password resets (SJL allow_reset_password).")
    public static let mode = SettingKey(
        "reset_password.mode", default: ResetMode.defaultEmail, kind: .enumeration(ResetMode.allCases.map(\.rawValue)),
        description: "store_only, default_email or custom_email (SJL flow 0/1/2).")
    public static let emailType = SettingKey(
        "reset_password.email_type", default: EmailType.text, kind: .enumeration(EmailType.allCases.map(\.rawValue)),
        description: "Custom mail as text or html.")
    public static let emailSubject = SettingKey(
        "reset_password.email_subject", default: "Reset your password", kind: .string,
        description: "Custom mail subject; per language: reset_password.email_subject.<locale> (fr, fr_CA).")
    public static let emailBody = SettingKey(
        "reset_password.email_body",
        default: "Hello {{NAME}},\n\nSomeone asked to reset the password of your account on {{SITE_NAME}}.\n\nYour code: {{CODE}}\n\nOr open this link: {{RESET_LINK}}\n\nIf it was not you, ignore this email; your password stays as it is.\n",
        kind: .text, description: "Custom mail body; needs {{CODE}} or {{RESET_LINK}}; per language: reset_password.email_body.<locale>.")
    /// `reset_password.email_subject.<locale>` (`.fr`, `.fr_CA`): the custom subject in one language,
    /// chosen by the language chain (`fr_CA` → `fr` → the plain `email_subject`).
    public static let emailSubjects = SettingFamily(
        emailSubject.name, kind: .string, description: "Custom mail subject in one language", suffix: { localeSuffix($0) })
    /// `reset_password.email_body.<locale>`: the custom body in one language, chosen like the subject.
    public static let emailBodies = SettingFamily(
        emailBody.name, kind: .text, description: "Custom mail body in one language; needs {{CODE}} or {{RESET_LINK}}", suffix: { localeSuffix($0) },
        validate: { body in
            let template = Template(body)
            return template.usesVariable("CODE") || template.usesVariable("RESET_LINK")
                ? nil : SettingProblem("You need to add the {{CODE}} variable in email body.", code: 10066)
        })

    /// A locale suffix in its one spelling: a BCP 47 tag with `_` for `-` (`fr_ca`, `fr-CA` → `fr_CA`),
    /// so the key's environment variable is a valid name (`RESETPRESS_RESET_PASSWORD__EMAIL_SUBJECT__FR_CA`).
    static func localeSuffix(_ raw: String) -> String? {
        LocaleTag.normalized(raw).map { $0.replacingOccurrences(of: "-", with: "_") }
    }

    public static let emailTemplate = SettingKey(
        "reset_password.email_template", default: "", kind: .string,
        description: "A file under templates/password/ used as the custom body instead of email_body.",
        validate: { name in name.isEmpty ? nil : PasswordTemplateName.problem(name).map { SettingProblem($0) } })
    public static let requiresAuthCode = SettingKey(
        "reset_password.requires_auth_code", default: false, kind: .bool, description: "Require an auth code (the AUTH_CODE gate).")
    public static let authCodeKey = SettingKey(
        "reset_password.auth_code_key", default: "AUTH_KEY", kind: .string,
        description: "The request parameter carrying the auth code (AUTH_CODE is accepted too).",
        validate: { $0.isEmpty ? "must not be empty" : nil })
    public static let codeLength = SettingKey(
        "reset_password.code_length", default: 20, within: 6...64, description: "Characters in a reset code.")
    public static let codeCharset = SettingKey(
        "reset_password.code_charset", default: CodeCharset.alnum, kind: .enumeration(CodeCharset.allCases.map(\.rawValue)),
        description: "alnum or digits (digits: 6-12 long, needs max_attempts).")
    public static let codeTTL = SettingKey(
        "reset_password.code_ttl", default: 86400, within: 60...2_592_000, description: "Seconds a code or link stays valid.", note: "seconds")
    public static let handoverMinutes = SettingKey(
        "reset_password.handover_minutes", default: 15, within: 1...1440,
        description: "Minutes a hand-over link made by the support desk stays valid.", note: "minutes")
    public static let maxAttempts = SettingKey(
        "reset_password.max_attempts", default: 5, within: 1...100, description: "Wrong codes before a code is burned.")
    public static let throttleSeconds = SettingKey(
        "reset_password.throttle_seconds", default: 60, within: 0...86400, description: "Minimum seconds between two codes for one account (0: off).")
    public static let ipLimitPerMinute = SettingKey(
        "reset_password.ip_limit_per_minute", default: 30, kind: .int, description: "Requests per client IP per minute (0: off).",
        validate: { $0 >= 0 ? nil : "must be 0 or more" })
    public static let revealUnknownUsers = SettingKey(
        "reset_password.reveal_unknown_users", default: false, kind: .bool, description: "Answer 'Wrong user.' for unknown emails.")
    public static let passwordMinLength = SettingKey(
        "reset_password.password_min_length", default: 8, within: 1...64, description: "Shortest new password accepted, in characters (code points).",
        note: "(a password of 64 characters is always accepted, NIST SP 800-63B)")
    public static let passwordBlocklistFile = SettingKey(
        "reset_password.password_blocklist_file", default: "", kind: .string,
        description: "Passwords to refuse, one per line, ignoring case: a file relative to the site root, or absolute (empty: none).")
    public static let passwordBase64 = SettingKey(
        "reset_password.password_base64", default: false, kind: .bool, description: "new_password arrives base64-encoded (SJL option).")
    public static let notifyPasswordChanged = SettingKey(
        "reset_password.notify_password_changed", default: true, kind: .bool, description: "Email the user after a change.")
    public static let cancelBlockMinutes = SettingKey(
        "reset_password.cancel_block_minutes", default: 60, within: 0...10080,
        description: "Minutes after a \"that wasn't me\" cancel during which requests for the account issue nothing (0: none).", note: "(a week)")
    public static let passwordHashCost = SettingKey(
        "users.password_hash_cost", default: 12, within: 4...31, description: "bcrypt cost for new password hashes.")

    /// Registers every reset setting.
    static func register(in settings: SettingsEngine) {
        settings.register(enabled)
        settings.register(mode)
        settings.register(emailType)
        settings.register(emailSubject)
        settings.register(emailBody)
        settings.register(emailTemplate)
        settings.register(emailSubjects)
        settings.register(emailBodies)
        settings.register(requiresAuthCode)
        settings.register(authCodeKey)
        settings.register(codeLength)
        settings.register(codeCharset)
        settings.register(codeTTL)
        settings.register(handoverMinutes)
        settings.register(maxAttempts)
        settings.register(throttleSeconds)
        settings.register(ipLimitPerMinute)
        settings.register(revealUnknownUsers)
        settings.register(passwordMinLength)
        settings.register(passwordBlocklistFile)
        settings.register(passwordBase64)
        settings.register(notifyPasswordChanged)
        settings.register(cancelBlockMinutes)
        settings.register(passwordHashCost)
    }
}
