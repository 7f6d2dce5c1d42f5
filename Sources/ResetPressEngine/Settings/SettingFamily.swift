import Foundation

/// A family of string settings that share a key and differ by a suffix the site owner picks:
/// `reset_password.email_subject.fr`, `reset_password.email_subject.fr_CA` beside the plain
/// `reset_password.email_subject`.
///
/// A member is an ordinary setting (same sources, pinning, `settings get|set|unset`, admin page)
/// registered the first time a source names it: its environment variable
/// (`RESETPRESS_RESET_PASSWORD__EMAIL_SUBJECT__FR_CA`), a settings file, the database or a write.
/// `suffix` checks a suffix and gives its one spelling (`fr_ca` → `fr_CA`), so every source names
/// the same member; a name whose suffix it refuses is an unknown setting, as before. A member's
/// default is "": unset, it says nothing and the reader falls back (to the plain setting).
public struct SettingFamily: Sendable {
    /// The plain key the members extend (`reset_password.email_subject`).
    public let key: String
    /// `.string` or `.text`.
    public let kind: SettingKind
    /// What every member holds; a member's description adds its suffix.
    public let description: String
    private let suffix: @Sendable (String) -> String?
    private let validate: (@Sendable (String) -> SettingProblem?)?

    /// Declares a family; `suffix` returns a suffix's canonical spelling, or nil when it is not one;
    /// `validate` checks a member's non-empty value as a ``SettingKey``'s validator does.
    public init(
        _ key: String, kind: SettingKind, description: String, suffix: @escaping @Sendable (String) -> String?,
        validate: (@Sendable (String) -> SettingProblem?)? = nil
    ) {
        self.key = key
        self.kind = kind
        self.description = description
        self.suffix = suffix
        self.validate = validate
    }

    /// The member key for `suffix` in its canonical spelling (`reset_password.email_subject.fr_CA`), or nil.
    public func name(suffix raw: String) -> String? {
        suffix(raw).map { "\(key).\($0)" }
    }

    /// The definition of the member `name` names, or nil when `name` is not a member's key.
    func definition(named name: String) -> SettingDefinition? {
        guard name.hasPrefix(key + "."), let canonical = self.name(suffix: String(name.dropFirst(key.count + 1))) else { return nil }
        let suffix = String(canonical.dropFirst(key.count + 1))
        var validator: (@Sendable (SettingValue) -> SettingProblem?)?
        if let validate {
            validator = { (value: SettingValue) -> SettingProblem? in
                guard case .string(let text) = value, !text.isEmpty else { return nil }
                return validate(text)
            }
        }
        return SettingDefinition(
            name: canonical, kind: kind, defaultValue: .string(""),
            description: "\(description) (\(suffix); empty: the next in the chain).", validator: validator)
    }

    /// The definition of the member an environment variable pins, or nil when it pins none.
    func definition(environmentVariable variable: String) -> SettingDefinition? {
        let prefix = "RESETPRESS_" + key.replacingOccurrences(of: ".", with: "__").uppercased() + "__"
        guard variable.hasPrefix(prefix), variable.count > prefix.count else { return nil }
        return definition(named: "\(key).\(variable.dropFirst(prefix.count))")
    }

    /// The member's value for `suffix` in `snapshot`; nil when it is not registered or empty.
    public func value(suffix raw: String, in snapshot: SettingsSnapshot) -> String? {
        guard let name = name(suffix: raw), case .string(let text)? = snapshot.resolved(name)?.value, !text.isEmpty else { return nil }
        return text
    }
}
