/// Settings that belong to the engine itself rather than to a plugin.
public enum CoreSettings {
    /// `{{SITE_NAME}}` and the sender's display name.
    public static let siteName = SettingKey(
        "site.name", default: "ResetPress", kind: .string, description: "The site's name, shown in mail and pages.")

    /// The base of every link; never taken from the Host header.
    public static let siteURL = SettingKey(
        "site.url", default: "http://127.0.0.1:8080", kind: .string,
        description: "The site's public URL; every link starts with it.",
        validate: { url in
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), !url.hasSuffix("/"),
                  url.count > 8, !url.contains(" ")
            else { return "must be an http(s) URL without a trailing slash" }
            return nil
        })

    /// The language of mail and pages when neither the user nor the request names one (SPEC §10).
    public static let siteLocale = SettingKey(
        "site.locale", default: "en", kind: .string,
        description: "Default language of mail and pages, a BCP 47 tag like en or fr-CA.",
        validate: { tag in
            let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
            guard let first = parts.first, (2...3).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLetter }),
                  parts.dropFirst().allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
            else { return "must be a language tag like en or fr-CA" }
            return nil
        })

    /// How long one executable hook may run.
    public static let hookTimeoutMilliseconds = SettingKey(
        "hooks.timeout_ms", default: 2000, within: 10...60_000, description: "Milliseconds an executable hook may run before it is skipped.")

    /// Where the site's data lives: empty for the SQLite file under the data directory,
    /// `sqlite:PATH`, or `postgres://user:password@host:port/database` for a database several
    /// nodes share. Read before the database opens, so only the environment or a file sets it.
    public static let storageURL = SettingKey(
        "storage.url", default: "", kind: .secret,
        description: "Storage: empty (SQLite under the data dir), sqlite:PATH or postgres://...; environment or settings file only.",
        validate: { url in
            url.isEmpty || url.hasPrefix("sqlite:") || url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
                ? nil : "must be empty, sqlite:PATH or postgres://user:password@host:port/database"
        })

    /// Every core setting, for registration.
    static func register(in settings: SettingsEngine) {
        settings.register(siteName)
        settings.register(siteURL)
        settings.register(siteLocale)
        settings.register(hookTimeoutMilliseconds)
        settings.register(storageURL)
        settings.addRule(SettingsRule(keys: [storageURL.name]) { snapshot in
            snapshot.resolved(storageURL.name)?.source == .database
                ? [SettingsMessage(
                    key: storageURL.name,
                    message: "storage.url is read before the database opens: set RESETPRESS_STORAGE__URL or put it in settings/*.json.")]
                : []
        })
    }
}
