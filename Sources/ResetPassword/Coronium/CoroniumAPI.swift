import Foundation
import ResetPressEngine
import ResetPressMail
import ResetPressTemplates

/// Options of Coronium's `users.sendPasswordResetLink(email, appName, options)`.
public struct PasswordResetLinkOptions: Sendable {
    /// The sender address instead of `mail.from`.
    public var fromEmail: String?
    /// The subject instead of the template's.
    public var subject: String?
    /// A file under `templates/password/` (default `link.html`).
    public var templateName: String?
    /// Extra `{{ key }}` / `{* key *}` values for the template; `reset_link` is reserved.
    public var templateKeys: [String: String]

    public init(fromEmail: String? = nil, subject: String? = nil, templateName: String? = nil, templateKeys: [String: String] = [:]) {
        self.fromEmail = fromEmail
        self.subject = subject
        self.templateName = templateName
        self.templateKeys = templateKeys
    }
}

/// Why `sendPasswordResetLink` did not send.
public enum PasswordResetLinkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `templateKeys` tried to set `reset_link`, which only the server may fill in.
    case reservedKey(String)
    /// The address is not an email address.
    case invalidEmail
    /// No user has this email.
    case unknownUser
    /// Resets are disabled (`reset_password.enabled`).
    case disabled
    /// The template file could not be read.
    case template(String)
    /// `fromEmail` is not an address.
    case invalidSender
    /// `templateName` is not a file in `templates/password/` (a path, `..`, a link leading out).
    case invalidTemplateName(String)
    /// The template has no `{* reset_link *}`, Coronium's one required key.
    case missingResetLink(String)

    public var description: String {
        switch self {
        case .reservedKey(let key): "templateKeys must not contain '\(key)': the server fills it in."
        case .invalidEmail: "Invalid email address."
        case .unknownUser: "No user has this email."
        case .disabled: "Password resets are disabled (reset_password.enabled)."
        case .template(let why): why
        case .invalidSender: "fromEmail is not a valid email address."
        case .invalidTemplateName(let why), .missingResetLink(let why): why
        }
    }
}

extension ResetPasswordService {
    /// Coronium's `sendPasswordResetLink`: emails a reset link to a known user, whatever the mode.
    public func sendPasswordResetLink(to email: String, appName: String?, options: PasswordResetLinkOptions = PasswordResetLinkOptions()) async throws -> Void {
        if let reserved = options.templateKeys.keys.first(where: { TemplateVariables.canonicalName($0) == "RESET_LINK" }) {
            throw PasswordResetLinkError.reservedKey(reserved)
        }
        let settings = self.settings.snapshot
        guard settings[ResetPasswordSettings.enabled] else { throw PasswordResetLinkError.disabled }
        guard EmailAddressValidator.isValid(email) else { throw PasswordResetLinkError.invalidEmail }
        if let from = options.fromEmail, !EmailAddressValidator.isValid(from) { throw PasswordResetLinkError.invalidSender }
        if let name = options.templateName, PasswordTemplateName.problem(name) != nil {
            throw PasswordResetLinkError.invalidTemplateName(PasswordTemplateError.invalidName(name).description)
        }
        guard let user = try await users.user(byEmail: email), let userID = user.id else { throw PasswordResetLinkError.unknownUser }
        var extra = TemplateVariables(options.templateKeys)
        if let appName { extra["SITE_NAME"] = appName }
        let override = MailOverride(from: options.fromEmail, subject: options.subject, templateName: options.templateName)
        let context = HookContext(site: settings[CoreSettings.siteURL]).with(user: user, mode: settings[ResetPasswordSettings.mode])
        if try await isBlocked(userID: userID, now: clock()) {
            // The owner said "that wasn't me": like a throttled request, nothing is sent and nothing is said.
            await hooks.doAction("reset_password_failed", "cancelled_block", context: context)
            return
        }
        do {
            try await issue(for: user, userID: userID, settings: settings, now: clock(), clientIP: "127.0.0.1", context: context, override: override, extraVariables: extra)
        } catch let error as TemplateError {
            throw PasswordResetLinkError.template(error.description)
        } catch let error as PasswordTemplateError {
            switch error {
            case .invalidName, .outsideFolder: throw PasswordResetLinkError.invalidTemplateName(error.description)
            case .missingResetLink: throw PasswordResetLinkError.missingResetLink(error.description)
            }
        }
    }

    /// Coronium's `flushExpiredPasswordResets`: deletes expired records (used ones are deleted at use).
    @discardableResult
    public func flushExpiredPasswordResets() async throws -> Int {
        try await codes.deleteExpired(now: clock())
    }
}
