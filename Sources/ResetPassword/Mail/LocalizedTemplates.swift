import Foundation
import ResetPressEngine
import ResetPressUsers

/// Picks the language of a mail or page (SPEC §10): the user's locale, the request's `locale`
/// parameter, its `Accept-Language` tags, then `site.locale`; each tag tries `<dir>/<tag>/` and
/// `<dir>/<language>/` before the next, and the plain directory (in `site.locale`'s language)
/// answers a tag of that language and is the last resort.
struct LocalizedTemplates: Sendable {
    /// The tags to try, best first, without repeats.
    let preferences: [String]
    /// `site.locale`, the language of the plain directory's templates.
    let siteLocale: String

    /// The preferences of `userLocale` (empty when none), then `context`'s, then the site's.
    init(userLocale: String, context: HookContext, settings: SettingsSnapshot) {
        let site = LocaleTag.normalized(settings[CoreSettings.siteLocale]) ?? "en"
        var seen = Set<String>()
        preferences = ([LocaleTag.normalized(userLocale)].compactMap { $0 } + context.preferredLocales + [site])
            .filter { seen.insert($0.lowercased()).inserted }
        siteLocale = site
    }

    /// The file `name` in the best language that has it under `directory`, and that language's tag;
    /// `directory/name` tagged `site.locale` when no language has its own.
    func resolve(_ name: String, in directory: URL) -> (url: URL, locale: String) {
        let files = FileManager.default
        for tag in preferences {
            for folder in Set([tag, LocaleTag.language(of: tag)]).sorted(by: { $0.count > $1.count }) {
                let url = directory.appendingPathComponent(folder).appendingPathComponent(name)
                if files.fileExists(atPath: url.path) { return (url, tag) }
            }
            // The plain directory is in the site's language: a user who asks for it gets it.
            if LocaleTag.language(of: tag) == LocaleTag.language(of: siteLocale) { return (directory.appendingPathComponent(name), tag) }
        }
        return (directory.appendingPathComponent(name), siteLocale)
    }
}
