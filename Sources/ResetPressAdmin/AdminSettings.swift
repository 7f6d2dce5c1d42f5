import ResetPressEngine
import ResetPressUsers

/// The admin module's settings.
public enum AdminSettings {
    /// The bcrypt hash of the admin password, written by `resetpress admin set-password`
    /// (never by the admin page or API). Empty: nobody can sign in.
    public static let passwordHash = SettingKey(
        "admin.password_hash", default: "", kind: .secret,
        description: "bcrypt hash of the admin password; set it with `resetpress admin set-password`.",
        validate: { hash in
            guard !hash.isEmpty else { return nil }
            switch PasswordHashFormat(hash: hash) {
            case .wordPressBcrypt, .bcrypt: return nil
            default: return "must be a bcrypt hash; set the password with `resetpress admin set-password`"
            }
        })

    /// Minutes of inactivity after which an admin session ends.
    public static let sessionMinutes = SettingKey(
        "admin.session_minutes", default: 60, within: 5...1440, description: "Minutes of inactivity before the admin is signed out.")

    /// Whether the admin API still takes `Authorization: Bearer <admin password>` (off: scripts use API tokens).
    public static let apiPasswordBearer = SettingKey(
        "admin.api_password_bearer", default: false, kind: .bool,
        description: "Accept the admin password as a bearer token on the admin API (off: use `resetpress admin tokens add`).")

    /// Settings the admin page and API show but never write.
    public static let protectedKeys: Set<String> = [passwordHash.name]

    /// Registers the admin settings.
    static func register(in settings: SettingsEngine) {
        settings.register(passwordHash)
        settings.register(sessionMinutes)
        settings.register(apiPasswordBearer)
    }
}
