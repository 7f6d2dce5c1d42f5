import Synchronization

/// A typed setting that a plugin registers: `settings[ResetPasswordSettings.mode]`.
public struct SettingKey<Value: SettingValueConvertible>: Sendable {
    /// Everything the engine needs to know about the setting, untyped.
    public let definition: SettingDefinition
    /// The value used when no source sets one.
    public let defaultValue: Value

    /// The dotted key (`reset_password.mode`).
    public var name: String { definition.name }

    /// Declares a setting; `validate` returns a problem for a value of the right type that is still wrong.
    public init(
        _ name: String, default defaultValue: Value, kind: SettingKind, description: String,
        validate: (@Sendable (Value) -> SettingProblem?)? = nil
    ) {
        self.defaultValue = defaultValue
        self.definition = SettingDefinition(
            name: name, kind: kind, defaultValue: defaultValue.settingValue, description: description,
            validator: validate.map { validate -> @Sendable (SettingValue) -> SettingProblem? in
                { value -> SettingProblem? in
                    guard let typed = Value(settingValue: value) else { return nil }
                    return validate(typed)
                }
            })
    }
}

extension SettingKey where Value == Int {
    /// Declares a whole-number setting that must lie within `range`; a value outside is refused as
    /// "must be between L and U", followed by `note` when given (a unit, a reason).
    public init(_ name: String, default defaultValue: Int, within range: ClosedRange<Int>, description: String, note: String = "") {
        let refusal = "must be between \(range.lowerBound) and \(range.upperBound)" + (note.isEmpty ? "" : " " + note)
        self.init(name, default: defaultValue, kind: .int, description: description, validate: { range.contains($0) ? nil : SettingProblem(refusal) })
    }
}

/// The untyped description of a registered setting.
public struct SettingDefinition: Sendable {
    public let name: String
    public let kind: SettingKind
    public let defaultValue: SettingValue
    public let description: String
    /// The admin page's section: the key up to its last dot (`mail.smtp`).
    public let group: String
    let validator: (@Sendable (SettingValue) -> SettingProblem?)?
    /// A dense index, so a typed read is an array access rather than a string hash.
    @usableFromInline let slot: Int

    init(
        name: String, kind: SettingKind, defaultValue: SettingValue, description: String,
        validator: (@Sendable (SettingValue) -> SettingProblem?)?
    ) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.description = description
        self.validator = validator
        self.group = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
        self.slot = SettingSlots.slot(for: name)
    }

    /// Whether the value is never shown in full.
    public var isSecret: Bool { kind == .secret }

    /// The environment variable that pins this setting: `RESETPRESS_MAIL__SMTP__HOST`.
    public var environmentVariable: String {
        "RESETPRESS_" + name.replacingOccurrences(of: ".", with: "__").uppercased()
    }

    /// Checks a value's shape and rules, returning the value in its stored form.
    public func validate(_ value: SettingValue) -> Result<SettingValue, SettingProblem> {
        kind.check(value).flatMap { checked in
            validator.flatMap { $0(checked) }.map { .failure($0) } ?? .success(checked)
        }
    }

    /// Parses text, then validates it.
    public func validate(text: String) -> Result<SettingValue, SettingProblem> {
        kind.parse(text: text).flatMap(validate)
    }

    /// The value as it may be shown: secrets masked.
    public func display(_ value: SettingValue) -> String {
        guard isSecret else { return value.description }
        let text = value.description
        if text.isEmpty { return "" }
        return text.count >= 12 ? "********" + text.suffix(2) : "********"
    }
}

/// Gives every setting name a process-wide dense index.
enum SettingSlots {
    private static let slots = Mutex<[String: Int]>([:])

    static func slot(for name: String) -> Int {
        slots.withLock { slots in
            if let slot = slots[name] { return slot }
            let slot = slots.count
            slots[name] = slot
            return slot
        }
    }
}
