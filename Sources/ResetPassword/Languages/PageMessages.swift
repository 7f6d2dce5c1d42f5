import Foundation
import ResetPressEngine
import ResetPressTemplates

/// The words of the reset-form and cancel pages that come from Swift, not from the page templates:
/// the refusals and errors a page shows, the policy sentence, the change's success message, and the
/// messages of the page script's live checks (handed to `page.js` in the form's `data-messages`).
///
/// English is built in (the password rules' own words, ``PasswordPolicy/Refusal``, and the table
/// below). A language's words are `templates/pages/<locale>/messages.json`, a JSON object of these
/// keys found through the same chain as the pages (``LocalizedTemplates``); a key it lacks, or a
/// file that is missing or unreadable, falls back to English. Values may use `{{MIN_LENGTH}}`,
/// `{{MAX_BYTES}}` and, in the script's `missing_*` messages, `{{MISSING}}` (filled by the script).
struct PageMessages: Sendable {
    /// The keys of the messages besides the password rules' (whose keys are ``PasswordPolicy/Refusal``'s).
    enum Key: String, CaseIterable, Sendable {
        case policy
        case missingNewPassword = "missing_new_password"
        case linkInvalid = "link_invalid"
        case rateLimited = "rate_limited"
        case disabled
        case enterEmail = "enter_email"
        case authCodeNeeded = "auth_code_needed"
        case changed
        case scriptRepeat = "script_repeat"
        case scriptMissingOne = "script_missing_one"
        case scriptMissingMany = "script_missing_many"
        case scriptAllGood = "script_all_good"
        case scriptRuleDone = "script_rule_done"
        case scriptRuleNotYet = "script_rule_not_yet"
        case scriptNotChanged = "script_not_changed"
        case scriptUnreachable = "script_unreachable"

        /// The English text.
        var english: String {
            switch self {
            case .policy: PasswordPolicy.summaryEnglish
            case .missingNewPassword: ResetFailure.missingNewPassword.description
            case .linkInvalid: ResetFailure.invalidCode.description
            case .rateLimited: ResetFailure.rateLimited(retryAfter: 0).description
            case .disabled: "Password resets are turned off on this site."
            case .enterEmail: "Enter the email address of your account."
            case .authCodeNeeded: "New links are requested through the site that sent the first one."
            case .changed: ResetPasswordService.changedMessage
            case .scriptRepeat: "Repeat the new password in the second field."
            case .scriptMissingOne: "1 more character needed (at least {{MIN_LENGTH}})."
            case .scriptMissingMany: "{{MISSING}} more characters needed (at least {{MIN_LENGTH}})."
            case .scriptAllGood: "Both passwords match and are long enough."
            case .scriptRuleDone: "(done)"
            case .scriptRuleNotYet: "(not yet)"
            case .scriptNotChanged: "The password was not changed."
            case .scriptUnreachable: "The server could not be reached. Check your connection and try again."
            }
        }
    }

    /// The name of a language's message file under `templates/pages/<locale>/`.
    static let fileName = "messages.json"

    /// The translations read from the language's file (empty for English).
    let translations: [String: String]
    /// The values of `{{MIN_LENGTH}}` and `{{MAX_BYTES}}`.
    let values: TemplateVariables
    let templates: TemplateCache

    /// The messages of `languages`' best language under `directory` (`templates/pages`).
    init(languages: LocalizedTemplates, directory: URL, settings: SettingsSnapshot, templates: TemplateCache) {
        let url = languages.resolve(Self.fileName, in: directory).url
        translations = (try? templates.template(at: url)).flatMap { Self.decode($0.source) } ?? [:]
        values = TemplateVariables(PasswordPolicy.Refusal.values(settings))
        self.templates = templates
    }

    /// A catalogue's text as a flat object of strings; nil when it is not one.
    static func decode(_ source: String) -> [String: String]? {
        try? JSONDecoder().decode([String: String].self, from: Data(source.utf8))
    }

    /// The text under `key` (translated, else `english`) with the values filled in; unknown
    /// placeholders (`{{MISSING}}`) stay as written.
    private func text(_ key: String, english: String) -> String {
        let source = translations[key].flatMap { $0.isEmpty ? nil : $0 } ?? english
        return templates.parsed(source).render(values, as: .text)
    }

    /// The message under `key`.
    subscript(_ key: Key) -> String { text(key.rawValue, english: key.english) }

    /// A password rule's refusal.
    subscript(_ refusal: PasswordPolicy.Refusal) -> String { text(refusal.rawValue, english: refusal.english) }

    /// What a page says about `failure`: the translated refusal or error; an API message the pages
    /// have no words for stays as the API says it.
    func describe(_ failure: ResetFailure, settings: SettingsSnapshot) -> String {
        switch failure {
        case .passwordRule(let message): PasswordPolicy.Refusal.of(message, settings: settings).map { self[$0] } ?? message
        case .missingNewPassword: self[.missingNewPassword]
        case .missingCode, .invalidCode: self[.linkInvalid]
        case .rateLimited: self[.rateLimited]
        case .disabled: self[.disabled]
        case .missingEmail, .invalidEmail: self[.enterEmail]
        case .authCodeRequired, .invalidAuthCode: self[.authCodeNeeded]
        case .wrongUser, .invalidBase64: failure.description
        }
    }

    /// The page script's messages as one JSON object (the form's `data-messages`, HTML-escaped by
    /// the page): the live checks' words, the mismatch (which the script also matches the server's
    /// refusal against) and the fallbacks of its error summary.
    var scriptJSON: String {
        let messages: [String: String] = [
            "tooShort": self[.tooShort], "mismatch": self[.mismatch], "repeat": self[.scriptRepeat],
            "missingOne": self[.scriptMissingOne], "missingMany": self[.scriptMissingMany], "allGood": self[.scriptAllGood],
            "done": self[.scriptRuleDone], "notYet": self[.scriptRuleNotYet], "notChanged": self[.scriptNotChanged],
            "unreachable": self[.scriptUnreachable], "changed": self[.changed],
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(messages)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
