import Foundation
import ResetPassword
import ResetPressEngine
import ResetPressHTTP

/// A settings export of the WordPress plugin Simple JWT Login, mapped onto the reset settings.
///
/// Reads the flat keys of SJL 3.x (`jwt_reset_password_flow`, `auth_codes: [...]`) and the nested
/// sections of SJL 4.x (`reset_password.flow`, `auth_codes.codes`, `_schema_version`), bare or
/// wrapped in the option name `simple_jwt_login_settings`. SJL keeps the email body base64-encoded;
/// it is decoded. The base64 option of SJL's reset flow is its authentication option
/// (`auth_password_base64` / `authorization.password_base64`).
struct SJLSettingsImport {
    /// One mapped setting.
    struct Change {
        let key: String
        let value: SettingValue
        /// Where it came from, as `sjl_key = value`.
        let source: String
    }

    /// One auth code to add to the gate.
    struct AuthCode {
        let code: String
        let role: String
        let expiresAt: Date?
        let source: String
    }

    /// Which SJL layout the file has.
    private(set) var format = "flat 3.x keys"
    private(set) var changes: [Change] = []
    private(set) var authCodes: [AuthCode] = []
    /// SJL keys (or whole sections) that have no counterpart here.
    private(set) var ignored: [String] = []
    /// Remarks on values kept or decoded.
    private(set) var notes: [String] = []
    /// Values that cannot be mapped; the import must not proceed when there are any.
    private(set) var problems: [String] = []

    private enum Target {
        case bool(String), mode, emailType, text(String), body, codeKey, codes, unsupported(String)
    }

    /// Each SJL setting that has a counterpart here: its key in the flat 3.x layout (nil where only the
    /// nested one has it), its key in the nested 4.x layout, and what it maps to.
    private static let keys: [(flat: String?, nested: String, target: Target)] = [
        ("allow_reset_password", "reset_password.enabled", .bool(ResetPasswordSettings.enabled.name)),
        ("reset_password_requires_auth_code", "reset_password.auth_code", .bool(ResetPasswordSettings.requiresAuthCode.name)),
        ("jwt_reset_password_flow", "reset_password.flow", .mode),
        ("jwt_email_subject", "reset_password.email_subject", .text(ResetPasswordSettings.emailSubject.name)),
        ("jwt_reset_password_email_body", "reset_password.email_body", .body),
        ("jwt_email_type", "reset_password.email_type", .emailType),
        (nil, "reset_password.send_password_changed_email", .bool(ResetPasswordSettings.notifyPasswordChanged.name)),
        ("reset_password_jwt", "reset_password.return_jwt", .unsupported("resetting with a JWT is not supported")),
        ("auth_password_base64", "authorization.password_base64", .bool(ResetPasswordSettings.passwordBase64.name)),
        ("auth_code_key", "auth_codes.key", .codeKey),
        ("auth_codes", "auth_codes.codes", .codes),
    ]
    private static let flatKeys = Dictionary(uniqueKeysWithValues: keys.compactMap { key in key.flat.map { ($0, key.target) } })
    private static let nestedKeys = Dictionary(uniqueKeysWithValues: keys.map { ($0.nested, $0.target) })

    /// Reads an export; throws a `CLIFailure` when the file is not a JSON object.
    init(data: Data, now: Date) throws {
        guard var top = (try? JSONValue(parsing: data))?.object else {
            throw CLIFailure("the file is not a JSON object; export the settings from Simple JWT Login as JSON.")
        }
        if let wrapped = top["simple_jwt_login_settings"] {
            if let object = wrapped.object {
                top = object
            } else if let text = wrapped.string, let object = (try? JSONValue(parsing: text))?.object {
                top = object
            }
        }
        let nested = top["_schema_version"] != nil || top["reset_password"]?.object != nil || top["auth_codes"]?.object != nil
        if nested {
            format = "nested 4.x sections"
            for (section, value) in top.sorted(by: { $0.key < $1.key }) where !section.hasPrefix("_") {
                guard let fields = value.object, Self.nestedKeys.keys.contains(where: { $0.hasPrefix(section + ".") }) else {
                    ignored.append(section)
                    continue
                }
                for (field, value) in fields.sorted(by: { $0.key < $1.key }) {
                    map("\(section).\(field)", value, Self.nestedKeys["\(section).\(field)"], now: now)
                }
            }
        } else {
            for (key, value) in top.sorted(by: { $0.key < $1.key }) {
                map(key, value, Self.flatKeys[key], now: now)
            }
        }
    }

    private mutating func map(_ path: String, _ value: JSONValue, _ target: Target?, now: Date) {
        let shown = "\(path) = \(value.summary)"
        switch target {
        case nil:
            ignored.append(path)
        case .unsupported(let why):
            ignored.append(path)
            if value.bool == true { notes.append("\(path) is on in SJL, but \(why).") }
        case .bool(let key):
            guard let flag = value.bool else { return problems.append("\(path): '\(value.summary)' is not a yes/no value.") }
            changes.append(Change(key: key, value: .bool(flag), source: shown))
        case .mode:
            let modes: [Int: ResetMode] = [0: .storeOnly, 1: .defaultEmail, 2: .customEmail]
            guard let flow = value.int, let mode = modes[flow] else { return problems.append("\(path): flow '\(value.summary)' is not 0, 1 or 2.") }
            changes.append(Change(key: ResetPasswordSettings.mode.name, value: .string(mode.rawValue), source: shown))
        case .emailType:
            let types: [Int: EmailType] = [0: .text, 1: .html]
            guard let number = value.int, let type = types[number] else { return problems.append("\(path): email type '\(value.summary)' is not 0 or 1.") }
            changes.append(Change(key: ResetPasswordSettings.emailType.name, value: .string(type.rawValue), source: shown))
        case .text(let key):
            guard let text = value.string, !text.isEmpty else { return notes.append("\(path) is empty in the export; the current value stays.") }
            changes.append(Change(key: key, value: .string(text), source: shown))
        case .codeKey:
            guard let text = value.string, !text.isEmpty else { return }
            changes.append(Change(key: ResetPasswordSettings.authCodeKey.name, value: .string(text), source: shown))
        case .body:
            guard let raw = value.string, !raw.isEmpty else { return notes.append("\(path) is empty in the export; the current body stays.") }
            let compact = raw.filter { !$0.isWhitespace }
            if let data = Data(base64Encoded: compact), let text = String(data: data, encoding: .utf8), !text.isEmpty {
                changes.append(Change(key: ResetPasswordSettings.emailBody.name, value: .string(text), source: "\(path) (base64, decoded)"))
            } else {
                notes.append("\(path) is not base64 as SJL stores it; imported as plain text.")
                changes.append(Change(key: ResetPasswordSettings.emailBody.name, value: .string(raw), source: "\(path) (plain text)"))
            }
        case .codes:
            guard let items = value.array else { return problems.append("\(path): expected a list of auth codes.") }
            for (index, item) in items.enumerated() {
                mapCode(item, source: "\(path)[\(index)]", now: now)
            }
        }
    }

    private mutating func mapCode(_ item: JSONValue, source: String, now: Date) {
        let code = (item.object?["code"] ?? item).string?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !code.isEmpty else { return notes.append("\(source) has no code; skipped as SJL does.") }
        let role = item.object?["role"]?.string ?? ""
        let expiry = item.object?["expiration_date"]
        var expiresAt: Date?
        if let seconds = expiry?.int, seconds > 0 {
            expiresAt = Date(timeIntervalSince1970: TimeInterval(seconds))
        } else if let text = expiry?.string, !text.trimmingCharacters(in: .whitespaces).isEmpty, text != "0" {
            guard let date = CLIDate.parse(text, now: now) else {
                return problems.append("\(source): expiration_date '\(text)' is not a date (use YYYY-MM-DD HH:MM:SS or ISO 8601).")
            }
            expiresAt = date
        }
        authCodes.append(AuthCode(code: code, role: role, expiresAt: expiresAt, source: source))
    }
}
