/// A setting's value as stored: the few shapes every setting type maps onto.
public enum SettingValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case bool(Bool)
    case int(Int)
    case string(String)
    case list([String])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? container.decode(Int.self) {
            self = .int(int)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else {
            self = .list(try container.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        }
    }

    /// The value as a person would type it (`true`, `42`, `a, b`).
    public var description: String {
        switch self {
        case .bool(let value): String(value)
        case .int(let value): String(value)
        case .string(let value): value
        case .list(let value): value.joined(separator: ", ")
        }
    }
}

/// A Swift type that a setting can be read as.
public protocol SettingValueConvertible: Sendable {
    /// The typed value, or nil when the stored value has another shape.
    init?(settingValue: SettingValue)
    /// The stored form of the value.
    var settingValue: SettingValue { get }
}

extension Bool: SettingValueConvertible {
    public init?(settingValue: SettingValue) {
        guard case .bool(let value) = settingValue else { return nil }
        self = value
    }
    public var settingValue: SettingValue { .bool(self) }
}

extension Int: SettingValueConvertible {
    public init?(settingValue: SettingValue) {
        guard case .int(let value) = settingValue else { return nil }
        self = value
    }
    public var settingValue: SettingValue { .int(self) }
}

extension String: SettingValueConvertible {
    public init?(settingValue: SettingValue) {
        guard case .string(let value) = settingValue else { return nil }
        self = value
    }
    public var settingValue: SettingValue { .string(self) }
}

extension Array: SettingValueConvertible where Element == String {
    public init?(settingValue: SettingValue) {
        guard case .list(let value) = settingValue else { return nil }
        self = value
    }
    public var settingValue: SettingValue { .list(self) }
}

/// Inlinable, so that the enums of other modules read their settings without generic metadata lookups.
extension SettingValueConvertible where Self: RawRepresentable, RawValue == String {
    @inlinable
    public init?(settingValue: SettingValue) {
        guard case .string(let raw) = settingValue else { return nil }
        self.init(rawValue: raw)
    }
    @inlinable
    public var settingValue: SettingValue { .string(rawValue) }
}
