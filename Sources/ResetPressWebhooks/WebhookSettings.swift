import Foundation
import ResetPressEngine

/// The webhook plugin's settings: the URLs of each event, the signing secret, the per-call timeout
/// and how long finished deliveries are remembered.
public enum WebhookSettings {
    /// `webhooks.<event>`: the URLs that receive one event.
    public static func urls(for event: WebhookEvent) -> SettingKey<[String]> {
        switch event {
        case .resetPasswordRequest: requestURLs
        case .passwordReset: passwordResetURLs
        case .resetPasswordFailed: failedURLs
        case .resetPasswordCancelled: cancelledURLs
        }
    }

    public static let requestURLs = urlList(.resetPasswordRequest, "a code was issued")
    public static let passwordResetURLs = urlList(.passwordReset, "a password was changed with a code or link")
    public static let failedURLs = urlList(.resetPasswordFailed, "a request or change failed (the payload's reason says why)")
    public static let cancelledURLs = urlList(.resetPasswordCancelled, "a user answered \"that wasn't me\"")

    /// The key deliveries are signed with; empty: one derived from the install secret (`resetpress webhooks secret` prints it).
    public static let secret = SettingKey(
        "webhooks.secret", default: "", kind: .secret,
        description: "HMAC-SHA256 key of X-ResetPress-Signature; empty: derived from the install secret (see `resetpress webhooks secret`).",
        validate: { secret in secret.isEmpty || secret.utf8.count >= 16 ? nil : "must be empty or at least 16 characters" })

    /// The limit on one call, connection and answer included.
    public static let timeoutMilliseconds = SettingKey(
        "webhooks.timeout_ms", default: 5000, within: 100...60_000, description: "Milliseconds one webhook call may take before it counts as failed and is retried.")

    /// How long a sent or failed delivery's metadata is kept.
    public static let keepSentDays = SettingKey(
        "webhooks.keep_sent_days", default: 30, kind: .int,
        description: "Days the queue keeps a sent or failed delivery's metadata (event, URL, status, error); a sent body goes at once.",
        validate: { $0 >= 0 ? nil : "must be 0 or more" })

    /// Registers every `webhooks.*` setting.
    static func register(in settings: SettingsEngine) {
        for event in WebhookEvent.allCases { settings.register(urls(for: event)) }
        settings.register(secret)
        settings.register(timeoutMilliseconds)
        settings.register(keepSentDays)
    }

    private static func urlList(_ event: WebhookEvent, _ when: String) -> SettingKey<[String]> {
        SettingKey(
            "webhooks.\(event.rawValue)", default: [String](), kind: .list,
            description: "URLs that get a signed JSON POST when \(when).",
            validate: { urls in
                let bad = urls.filter { !isWebhookURL($0) }
                return bad.isEmpty ? nil : SettingProblem("not an http(s) URL with a host: \(bad.joined(separator: ", "))")
            })
    }

    /// Whether `text` is an absolute `http` or `https` URL with a host and no fragment or whitespace.
    public static func isWebhookURL(_ text: String) -> Bool {
        guard !text.contains(where: { $0.isWhitespace }), let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty, components.fragment == nil
        else { return false }
        return true
    }
}
