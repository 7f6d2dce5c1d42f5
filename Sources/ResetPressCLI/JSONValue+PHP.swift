import ResetPressHTTP

/// Lenient readings of JSON written by PHP (WordPress exports mix numbers, text and flags).
extension JSONValue {
    /// The members of an object by name (the last one wins on a repeated name).
    var object: [String: JSONValue]? {
        objectMembers.map { Dictionary($0, uniquingKeysWith: { $1 }) }
    }

    /// The items of an array.
    var array: [JSONValue]? { arrayElements }

    /// A string, or a number written as text.
    var string: String? {
        switch self {
        case .string(let text): text
        case .number: summary
        default: nil
        }
    }

    /// A whole number, from a number, numeric text or a flag.
    var int: Int? {
        switch self {
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? Int(number) : nil
        case .string(let text): Int(text.trimmingCharacters(in: .whitespaces))
        case .bool(let flag): flag ? 1 : 0
        default: nil
        }
    }

    /// A yes/no value as PHP settings write it: true/false, 1/0, "1"/"0", "on"/"off", "yes"/"no", "".
    var bool: Bool? {
        switch self {
        case .bool(let flag): return flag
        case .number(let number): return number != 0
        case .null: return false
        case .string(let text):
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "1", "true", "on", "yes": return true
            case "0", "false", "off", "no", "": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// A short rendering for messages.
    var summary: String {
        switch self {
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .string(let text): text.count > 40 ? String(text.prefix(37)) + "..." : text
        case .array(let items): "[\(items.count) items]"
        case .object(let members): "{\(members.count) keys}"
        default: serialized()
        }
    }
}
