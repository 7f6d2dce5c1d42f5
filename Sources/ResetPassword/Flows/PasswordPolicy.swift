import Foundation
import ResetPressEngine
import ResetPressUsers

/// The rules a new password must follow (`reset_password.password_min_length`, base64 option).
public enum PasswordPolicy {
    /// Decodes `new_password` when `reset_password.password_base64` is on.
    static func decode(_ raw: String, settings: SettingsSnapshot) throws(ResetFailure) -> String {
        guard settings[ResetPasswordSettings.passwordBase64] else { return raw }
        guard let data = Data(base64Encoded: raw), let text = String(data: data, encoding: .utf8), !text.isEmpty else {
            throw .invalidBase64
        }
        return text
    }

    /// Throws a failure naming the broken rule.
    static func check(_ password: String, settings: SettingsSnapshot) throws(ResetFailure) {
        let minimum = settings[ResetPasswordSettings.passwordMinLength]
        // Code points, not grapheme clusters (NIST SP 800-63B §5.1.1.2; JSON Schema's `minLength` counts so too).
        if password.unicodeScalars.count < minimum {
            throw .passwordRule("The new password must be at least \(minimum) characters long.")
        }
        if password.utf8.count > PasswordHasher.maxPasswordBytes {
            throw .passwordRule("The new password must be at most \(PasswordHasher.maxPasswordBytes) bytes long.")
        }
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .passwordRule("The new password must not contain control characters.")
        }
    }

    /// The policy as a sentence for the form page.
    public static func summary(_ settings: SettingsSnapshot) -> String {
        "At least \(settings[ResetPasswordSettings.passwordMinLength]) characters."
    }
}
