import Foundation
import ResetPressEngine
import ResetPressTemplates

/// Settings rules that span several keys, with SJL's error codes.
enum ResetPasswordRules {
    static func all(gate: AuthCodeGate, templatesDirectory: URL) -> [SettingsRule] {
        let mode = ResetPasswordSettings.mode.name, body = ResetPasswordSettings.emailBody.name
        let subject = ResetPasswordSettings.emailSubject.name, template = ResetPasswordSettings.emailTemplate.name
        return [
            SettingsRule(keys: [mode, body, template]) { settings in
                guard settings[ResetPasswordSettings.mode] == .customEmail else { return [] }
                let file = settings[ResetPasswordSettings.emailTemplate]
                let source: String
                if file.isEmpty {
                    source = settings[ResetPasswordSettings.emailBody]
                } else {
                    let url: URL
                    do throws(PasswordTemplateError) {
                        url = try PasswordTemplateName.file(file, in: templatesDirectory)
                    } catch {
                        return [SettingsMessage(key: template, message: error.description)]
                    }
                    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                        return [SettingsMessage(key: template, message: "The template file templates/password/\(file) cannot be read.")]
                    }
                    source = text
                }
                let parsed = Template(source)
                guard parsed.usesVariable("CODE") || parsed.usesVariable("RESET_LINK") else {
                    return [SettingsMessage(key: body, message: "You need to add the {{CODE}} variable in email body.", code: 10066)]
                }
                return []
            },
            SettingsRule(keys: [mode, subject]) { settings in
                settings[ResetPasswordSettings.mode] == .customEmail
                    && settings[ResetPasswordSettings.emailSubject].trimmingCharacters(in: .whitespaces).isEmpty
                    ? [SettingsMessage(key: subject, message: "The Reset Password Email Subject is empty.", code: 10076)] : []
            },
            SettingsRule(keys: [ResetPasswordSettings.requiresAuthCode.name]) { settings in
                settings[ResetPasswordSettings.requiresAuthCode] && !gate.hasCodes
                    ? [SettingsMessage(key: ResetPasswordSettings.requiresAuthCode.name, message: "Missing Auth Codes. Please add at least one Auth Code.", code: 7001)]
                    : []
            },
            SettingsRule(keys: [ResetPasswordSettings.codeCharset.name, ResetPasswordSettings.codeLength.name]) { settings in
                settings[ResetPasswordSettings.codeCharset] == .digits && !(6...12).contains(settings[ResetPasswordSettings.codeLength])
                    ? [SettingsMessage(key: ResetPasswordSettings.codeLength.name, message: "Digit codes must be 6 to 12 digits long (reset_password.code_length).")]
                    : []
            },
            SettingsRule(keys: [ResetPasswordSettings.passwordBlocklistFile.name]) { settings in
                // `templatesDirectory` is `<root>/templates/password`; the blocklist path is relative to `<root>`.
                let root = templatesDirectory.deletingLastPathComponent().deletingLastPathComponent()
                let path = settings[ResetPasswordSettings.passwordBlocklistFile]
                return path.isEmpty || PasswordBlocklist.isReadable(PasswordBlocklist.url(for: path, root: root))
                    ? []
                    : [SettingsMessage(
                        key: ResetPasswordSettings.passwordBlocklistFile.name,
                        message: "The password blocklist file \(path) cannot be read; give a readable file, relative to the site root or absolute.")]
            },
        ]
    }
}
