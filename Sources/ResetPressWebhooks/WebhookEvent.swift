import Foundation
import ResetPressEngine

/// The actions a webhook can follow; each is named as the action it subscribes to.
public enum WebhookEvent: String, Sendable, CaseIterable, Codable {
    /// A code (and link) was issued and queued for the user.
    case resetPasswordRequest = "reset_password_request"
    /// A password was changed with a code or link.
    case passwordReset = "password_reset"
    /// A request or change failed; the action's argument is the reason (`unknown_email`, `throttled`, `wrong_code`...).
    case resetPasswordFailed = "reset_password_failed"
    /// A user answered "that wasn't me" and the pending code was revoked.
    case resetPasswordCancelled = "reset_password_cancelled"
}

/// The JSON body of a delivery: what happened, when, to whom, from where, on which site.
///
/// Built from the action's ``HookContext`` field by field. The context's request parameters are
/// never copied (they already lack codes, passwords and auth codes; a webhook needs none of them),
/// so no code, password, token or auth code can reach a receiver.
public struct WebhookPayload: Codable, Sendable, Equatable {
    /// The user as a receiver sees them.
    public struct User: Codable, Sendable, Equatable {
        public var id: Int64?
        public var login: String
        public var email: String
    }

    public var event: String
    /// ISO 8601, UTC, to the second: `2025-06-01T12:00:00Z`.
    public var time: String
    /// Null when the event concerns no known account (a failed request for an unknown email, a wrong code).
    public var user: User?
    public var clientIP: String?
    /// The site's URL (`site.url`).
    public var site: String
    /// Why it failed (`reset_password_failed` only).
    public var reason: String?

    enum CodingKeys: String, CodingKey {
        case event, time, user, site, reason
        case clientIP = "client_ip"
    }

    /// The payload of `event` fired with `context` at `time` on the site at `siteURL`; `reason` for failures.
    public init(event: WebhookEvent, context: HookContext, time: Date, siteURL: String, reason: String? = nil) {
        self.event = event.rawValue
        self.time = Self.timestamp(time)
        self.user = context.user.map { User(id: $0.id, login: $0.login, email: $0.email) }
        self.clientIP = context.clientIP
        self.site = siteURL
        self.reason = reason
    }

    /// `user`, `client_ip` and `reason` always appear (null when unknown), so every body has one shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(event, forKey: .event)
        try container.encode(time, forKey: .time)
        try container.encode(user, forKey: .user)
        try container.encode(clientIP, forKey: .clientIP)
        try container.encode(site, forKey: .site)
        try container.encode(reason, forKey: .reason)
    }

    /// The body as sent: compact JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }
}
