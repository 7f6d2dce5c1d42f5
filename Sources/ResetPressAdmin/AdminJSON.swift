import Foundation
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage

/// Conversions between the admin API's JSON and settings, auth codes and mail.
enum AdminJSON {
    /// A setting value as JSON: bool, number, string or array of strings.
    static func json(_ value: SettingValue) -> JSONValue {
        switch value {
        case .bool(let bool): .bool(bool)
        case .int(let int): .number(Double(int))
        case .string(let string): .string(string)
        case .list(let list): .array(list.map { .string($0) })
        }
    }

    /// The write a JSON value asks for: `null` unsets, a whole number is an int, an array must
    /// hold strings only; nil for anything else (fractions, objects, mixed arrays).
    static func input(_ value: JSONValue) -> SettingsEngine.Input? {
        switch value {
        case .null: return .unset
        case .bool(let bool): return .value(.bool(bool))
        case .number(let number):
            guard number == number.rounded(), abs(number) < 1e15 else { return nil }
            return .value(.int(Int(number)))
        case .string(let string): return .value(.string(string))
        case .array(let items):
            let strings = items.compactMap(\.stringValue)
            return strings.count == items.count ? .value(.list(strings)) : nil
        case .object: return nil
        }
    }

    /// A scalar as text (form fields and JSON alike), nil for `null`, arrays and objects.
    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let string): string
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let bool): String(bool)
        case .null, .array, .object: nil
        }
    }

    /// An auth code as listed: never the code or its hash.
    static func json(_ record: AuthCodeRecord, now: Date) -> JSONValue {
        .object([
            ("id", .number(Double(record.id))), ("last_four", .string(record.lastFour)), ("weak", .bool(record.isWeak)), ("role", .string(record.role)),
            ("expires_at", record.expiresAt.map { .string($0.formatted(.iso8601)) } ?? .null),
            ("expired", .bool(record.expiresAt.map { $0 <= now } ?? false)),
            ("created_at", .string(record.createdAt.formatted(.iso8601))),
        ])
    }

    /// An outbox entry as listed (bodies left out), with the transport's answer once sent.
    static func json(_ entry: OutboxEntry) -> JSONValue {
        .object([
            ("id", .number(Double(entry.id))), ("kind", .string(entry.kind)), ("status", .string(entry.status.rawValue)),
            ("to", .array(entry.recipients.map { .string($0) })), ("subject", .string(entry.subject)),
            ("attempts", .number(Double(entry.attempts))), ("last_error", entry.lastError.map { .string($0) } ?? .null),
            ("created_at", .string(entry.createdAt.formatted(.iso8601))),
            ("next_attempt_at", .string(entry.nextAttemptAt.formatted(.iso8601))),
            ("sent_at", entry.sentAt.map { .string($0.formatted(.iso8601)) } ?? .null),
            ("delivery_detail", entry.deliveryDetail.map { .string($0) } ?? .null),
        ])
    }
}
