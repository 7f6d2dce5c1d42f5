import Foundation
import ResetPressMail

/// How every backend stores an outbox entry's body and recipients, so they read the same.
///
/// Two nullable columns hold the body: `body`, the message as JSON text, and `sealed_body`, the
/// sealed bytes; at most one is set, and both are NULL once the body is deleted. `recipients` is a
/// JSON array of email addresses.
extension OutboxBody {
    /// The `body` and `sealed_body` column values.
    public func columns() throws -> (plain: String?, sealed: Data?) {
        switch self {
        case .plain(let message): (String(decoding: try JSONEncoder().encode(message), as: UTF8.self), nil)
        case .sealed(let data): (nil, data)
        }
    }

    /// The body stored in `body` and `sealed_body`, or nil when both are NULL (deleted).
    public static func fromColumns(plain: String?, sealed: Data?) throws -> OutboxBody? {
        if let sealed { return .sealed(sealed) }
        guard let plain else { return nil }
        return .plain(try JSONDecoder().decode(MailMessage.self, from: Data(plain.utf8)))
    }

    /// The `recipients` column value.
    public static func recipientsColumn(_ recipients: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(recipients), as: UTF8.self)
    }

    /// The recipients stored in a `recipients` column.
    public static func recipients(fromColumn text: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(text.utf8))
    }
}
