import Foundation
import ResetPressEngine
import ResetPressUsers

/// Picks the language of a mail, a page or a per-locale setting (SPEC §10): the user's locale, the
/// request's `locale` parameter, its `Accept-Language` tags, then `site.locale`; each tag tries its
/// own variant (`fr-CA`) and then its language's (`fr`) before the next tag, and the plain variant
/// (the plain directory, the plain setting), which is in `site.locale`'s language, answers a tag of
/// that language and is the last resort.
///
/// The one resolver of the reset module: the mail composer, the reset-form and cancel pages, their
/// messages (``PageMessages``) and the custom subject and body (``LocalizedSetting``) all walk it.
struct LocalizedTemplates: Sendable {
    /// The tags to try, best first, without repeats.
    let preferences: [String]
    /// `site.locale`, the language of the plain directory's templates.
    let siteLocale: String

    /// The preferences of `userLocale` (empty when none), then `context`'s, then the site's.
    init(userLocale: String, context: HookContext, settings: SettingsSnapshot) {
        self.init(userLocale: userLocale, requestPreferences: context.preferredLocales, settings: settings)
    }

    /// The preferences of `userLocale` (empty when none), then the request's (see
    /// ``requestPreferences(locale:acceptLanguage:)``), then the site's.
    init(userLocale: String, requestPreferences: [String], settings: SettingsSnapshot) {
        let site = LocaleTag.normalized(settings[CoreSettings.siteLocale]) ?? "en"
        var seen = Set<String>()
        preferences = ([LocaleTag.normalized(userLocale)].compactMap { $0 } + requestPreferences + [site])
            .filter { seen.insert($0.lowercased()).inserted }
        siteLocale = site
    }

    /// A request's own preferences, best first: its `locale` parameter (when a plausible tag), then
    /// the tags of its `Accept-Language` header by quality.
    static func requestPreferences(locale: String?, acceptLanguage: String?) -> [String] {
        (locale.flatMap(LocaleTag.normalized).map { [$0] } ?? []) + LocaleTag.accepted(acceptLanguage ?? "")
    }

    /// Walks the chain: for each preferred tag, `variant` of the tag and then of its language; the
    /// first found wins with that tag. `nil` means "the plain variant", tagged with the first
    /// preference in the site's language, or `site.locale` when none is.
    func first<Value>(_ variant: (String) -> Value?) -> (value: Value?, locale: String) {
        let siteLanguage = LocaleTag.language(of: siteLocale)
        for tag in preferences {
            // The tag, then its language when that is shorter (`fr-CA`, then `fr`).
            let language = LocaleTag.language(of: tag)
            if let value = variant(tag) { return (value, tag) }
            if language != tag, let value = variant(language) { return (value, tag) }
            // The plain variant is in the site's language: a user who asks for it gets it.
            if language == siteLanguage { return (nil, tag) }
        }
        return (nil, siteLocale)
    }

    /// The file `name` in the best language that has it under `directory`, and that language's tag;
    /// `directory/name` tagged `site.locale` when no language has its own.
    func resolve(_ name: String, in directory: URL) -> (url: URL, locale: String) {
        let resolved = resolvePath(name, inDirectory: directory.path)
        return (URL(fileURLWithPath: resolved.path), resolved.locale)
    }

    /// ``resolve(_:in:)`` on paths (`directory` without a trailing slash), for each mail: Foundation's
    /// URL appending parses the whole URL again at every step.
    func resolvePath(_ name: String, inDirectory directory: String) -> (path: String, locale: String) {
        let files = FileManager.default
        let found = first { folder -> String? in
            let path = directory + "/" + folder + "/" + name
            return files.fileExists(atPath: path) ? path : nil
        }
        return (found.value ?? directory + "/" + name, found.locale)
    }
}
