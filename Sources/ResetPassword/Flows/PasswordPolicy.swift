import Foundation
import Logging
import ResetPressEngine
import ResetPressUsers

/// The rules a new password must follow (NIST SP 800-63B §5.1.1.2): a length in code points
/// (`reset_password.password_min_length`, at most ``PasswordHasher/maxPasswordBytes`` bytes, so
/// 64 characters always fit), no control characters, not on the site's blocklist
/// (`reset_password.password_blocklist_file`), and not containing the user's own names or the
/// site's name. Each refusal is ``ResetFailure/passwordRule(_:)`` (121) naming the rule.
public enum PasswordPolicy {
    /// Shortest name, login or site name the personal rule looks for (shorter ones would refuse
    /// too many good passwords: "Lee", "ann").
    public static let shortestPersonalValue = 4

    /// What the personal rule compares a password with.
    public struct Person: Sendable {
        public var email: String
        public var login: String
        public var firstName: String
        public var lastName: String

        public init(email: String, login: String, firstName: String, lastName: String) {
            self.email = email
            self.login = login
            self.firstName = firstName
            self.lastName = lastName
        }

        /// The person of a stored user.
        public init(_ user: User) {
            self.init(email: user.email, login: user.login, firstName: user.firstName, lastName: user.lastName)
        }
    }

    /// Each refusal of the rules, in English with its `{{…}}` values: the message of the API's
    /// error 121, and the key under which the pages translate it (``PageMessages``).
    public enum Refusal: String, CaseIterable, Sendable {
        case tooShort = "too_short"
        case tooLong = "too_long"
        case controlCharacters = "control_characters"
        case blocklisted = "blocklisted"
        case emailName = "contains_email_name"
        case login = "contains_login"
        case firstName = "contains_first_name"
        case lastName = "contains_last_name"
        case siteName = "contains_site_name"
        case mismatch = "mismatch"

        /// The English text, `{{MIN_LENGTH}}` and `{{MAX_BYTES}}` unfilled.
        public var english: String {
            switch self {
            case .tooShort: "The new password must be at least {{MIN_LENGTH}} characters long."
            case .tooLong: "The new password must be at most {{MAX_BYTES}} bytes long."
            case .controlCharacters: "The new password must not contain control characters."
            case .blocklisted: "The new password is on this site's list of common or breached passwords; choose another."
            case .emailName: "The new password must not contain your email address's name."
            case .login: "The new password must not contain your login."
            case .firstName: "The new password must not contain your first name."
            case .lastName: "The new password must not contain your last name."
            case .siteName: "The new password must not contain the site's name."
            case .mismatch: "The two passwords do not match."
            }
        }

        /// The values of the placeholders under `settings`.
        static func values(_ settings: SettingsSnapshot) -> [String: String] {
            ["MIN_LENGTH": String(settings[ResetPasswordSettings.passwordMinLength]), "MAX_BYTES": String(PasswordHasher.maxPasswordBytes)]
        }

        /// The English message under `settings`.
        func message(_ settings: SettingsSnapshot) -> String {
            Self.values(settings).reduce(english) { text, value in text.replacingOccurrences(of: "{{\(value.key)}}", with: value.value) }
        }

        /// The refusal whose English message under `settings` is `message` (a ``ResetFailure/passwordRule(_:)``'s).
        static func of(_ message: String, settings: SettingsSnapshot) -> Refusal? {
            allCases.first { $0.message(settings) == message }
        }
    }

    /// The refusal of a form whose two password fields differ.
    static let mismatchMessage = Refusal.mismatch.english

    /// Decodes `new_password` when `reset_password.password_base64` is on.
    static func decode(_ raw: String, settings: SettingsSnapshot) throws(ResetFailure) -> String {
        guard settings[ResetPasswordSettings.passwordBase64] else { return raw }
        guard let data = Data(base64Encoded: raw), let text = String(data: data, encoding: .utf8), !text.isEmpty else {
            throw .invalidBase64
        }
        return text
    }

    /// The rules that need neither the user nor a file: length and characters.
    static func check(_ password: String, settings: SettingsSnapshot) throws(ResetFailure) {
        let minimum = settings[ResetPasswordSettings.passwordMinLength]
        // Code points, not grapheme clusters (NIST SP 800-63B §5.1.1.2; JSON Schema's `minLength` counts so too).
        if password.unicodeScalars.count < minimum {
            throw .passwordRule(Refusal.tooShort.message(settings))
        }
        if password.utf8.count > PasswordHasher.maxPasswordBytes {
            throw .passwordRule(Refusal.tooLong.message(settings))
        }
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .passwordRule(Refusal.controlCharacters.english)
        }
    }

    /// The blocklist rule: refuses a password listed (ignoring case) in the site's blocklist file.
    static func checkBlocklist(_ password: String, isListed: Bool) throws(ResetFailure) {
        if isListed {
            throw .passwordRule(Refusal.blocklisted.english)
        }
    }

    /// The personal rule: refuses a password that equals or contains, ignoring case, the email
    /// address's local part, the login, the first or last name, or the site name, each only when
    /// it has at least ``shortestPersonalValue`` characters.
    public static func checkPersonal(_ password: String, person: Person, siteName: String) throws(ResetFailure) {
        let localPart = person.email.lastIndex(of: "@").map { String(person.email[..<$0]) } ?? person.email
        let rules: [(String, Refusal)] = [
            (localPart, .emailName), (person.login, .login), (person.firstName, .firstName), (person.lastName, .lastName), (siteName, .siteName),
        ]
        let candidate = password.lowercased()
        for (value, refusal) in rules {
            let value = value.trimmingCharacters(in: .whitespaces).lowercased()
            if value.unicodeScalars.count >= shortestPersonalValue, candidate.contains(value) { throw .passwordRule(refusal.english) }
        }
    }

    /// Checks a password an owner sets for `person` (the CLI, an admin page) against every rule a
    /// reset applies; the blocklist file is read at this call (`root` resolves a relative path).
    public static func check(
        _ password: String, for person: Person, settings: SettingsSnapshot, root: URL, logger: Logger
    ) throws(ResetFailure) {
        try check(password, for: person, settings: settings, root: root, blocklist: PasswordBlocklist(), logger: logger)
    }

    /// Every rule, with a blocklist that may already hold the file.
    static func check(
        _ password: String, for person: Person, settings: SettingsSnapshot, root: URL, blocklist: PasswordBlocklist, logger: Logger
    ) throws(ResetFailure) {
        try check(password, settings: settings)
        let path = settings[ResetPasswordSettings.passwordBlocklistFile]
        try checkBlocklist(password, isListed: blocklist.contains(password, path: path, root: root, logger: logger))
        try checkPersonal(password, person: person, siteName: settings[CoreSettings.siteName])
    }

    /// The policy as a sentence for the form page, in English (`{{MIN_LENGTH}}` unfilled);
    /// ``PageMessages`` fills it in and translates it.
    static let summaryEnglish = "At least {{MIN_LENGTH}} characters."

    /// The policy as an English sentence.
    public static func summary(_ settings: SettingsSnapshot) -> String {
        summaryEnglish.replacingOccurrences(of: "{{MIN_LENGTH}}", with: String(settings[ResetPasswordSettings.passwordMinLength]))
    }
}
