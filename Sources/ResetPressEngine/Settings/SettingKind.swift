import Foundation

/// The type of a setting, which decides how text and JSON input are read and how it is shown.
public enum SettingKind: Sendable, Equatable {
    case bool
    case int
    /// A one-line string.
    case string
    /// A multi-line string (an email body).
    case text
    /// One of a fixed list of strings.
    case enumeration([String])
    /// A string never shown in full (passwords, API keys).
    case secret
    /// A list of strings.
    case list

    /// The name shown by `settings list` and the admin page.
    public var name: String {
        switch self {
        case .bool: "bool"
        case .int: "int"
        case .string: "string"
        case .text: "text"
        case .enumeration: "enum"
        case .secret: "secret"
        case .list: "list"
        }
    }

    /// Reads text typed by a person or found in an environment variable.
    public func parse(text: String) -> Result<SettingValue, SettingProblem> {
        switch self {
        case .bool:
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "1", "yes", "on": return .success(.bool(true))
            case "false", "0", "no", "off", "": return .success(.bool(false))
            default: return .failure("must be true or false")
            }
        case .int:
            guard let int = Int(text.trimmingCharacters(in: .whitespaces)) else { return .failure("must be a whole number") }
            return .success(.int(int))
        case .string, .text, .secret, .enumeration:
            return check(.string(text))
        case .list:
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("["), let data = trimmed.data(using: .utf8),
               let array = try? JSONDecoder().decode([String].self, from: data) {
                return .success(.list(array))
            }
            let items = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .success(.list(items))
        }
    }

    /// Checks that a value has this kind's shape, converting where the intent is clear
    /// (a number given as text for an int, a single string for a list).
    public func check(_ value: SettingValue) -> Result<SettingValue, SettingProblem> {
        switch (self, value) {
        case (.bool, .bool), (.int, .int), (.list, .list):
            return .success(value)
        case (.bool, .string(let text)), (.int, .string(let text)), (.list, .string(let text)):
            return parse(text: text)
        case (.string, .string(let text)), (.secret, .string(let text)):
            return text.contains(where: \.isNewline) ? .failure("must be a single line") : .success(value)
        case (.text, .string):
            return .success(value)
        case (.enumeration(let cases), .string(let text)):
            return cases.contains(text) ? .success(value) : .failure("must be one of: \(cases.joined(separator: ", "))")
        case (.string, .int(let int)), (.text, .int(let int)), (.secret, .int(let int)):
            return .success(.string(String(int)))
        default:
            return .failure("must be \(expectation)")
        }
    }

    private var expectation: String {
        switch self {
        case .bool: "true or false"
        case .int: "a whole number"
        case .string, .secret: "a single-line string"
        case .text: "a string"
        case .enumeration(let cases): "one of: \(cases.joined(separator: ", "))"
        case .list: "a list of strings"
        }
    }
}
