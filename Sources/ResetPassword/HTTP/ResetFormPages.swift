import Foundation
import HTTPTypes
import Hummingbird
import ResetPressEngine
import ResetPressHTTP
import ResetPressTemplates

/// Renders the reset-form pages from `templates/pages/*.html` and serves their assets from
/// `templates/pages/assets/`, so a site owner restyles them without touching Swift.
///
/// Every page carries `Cache-Control: no-store`, `Referrer-Policy: no-referrer` (the token never
/// leaks to another site) and a strict Content-Security-Policy: no inline script or style, scripts,
/// styles, images and `fetch` only from this origin, forms only to this origin, no framing.
struct ResetFormPages {
    let settings: SettingsEngine
    /// The site root.
    let root: URL
    let templates: TemplateCache

    /// The page template folder.
    var directory: URL { root.appendingPathComponent("templates/pages") }

    /// The Content-Security-Policy of every page.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// Largest asset served, in bytes.
    static let maximumAssetSize = 1 << 20

    /// Content types of the asset extensions served.
    static let assetTypes = [
        "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml",
        "png": "image/png", "ico": "image/x-icon", "woff2": "font/woff2",
    ]

    /// The language of one page request and its Swift-side words.
    struct Language: Sendable {
        let languages: LocalizedTemplates
        let messages: PageMessages
    }

    /// The language of a page request (``LocalizedTemplates``): `userLocale` (the user the link's
    /// token belongs to; "" when none), then the request's `locale` parameter (the pages' forms carry
    /// it in a hidden field), then the request's `Accept-Language`, then `site.locale`.
    func language(userLocale: String = "", locale: String?, of request: Request) -> Language {
        let acceptLanguage = request.headers[.acceptLanguage]
        let settings = self.settings.snapshot
        let languages = LocalizedTemplates(
            userLocale: userLocale, requestPreferences: LocalizedTemplates.requestPreferences(locale: locale, acceptLanguage: acceptLanguage),
            settings: settings)
        return Language(languages: languages, messages: PageMessages(languages: languages, directory: directory, settings: settings, templates: templates))
    }

    /// Renders a page template in `language` (`templates/pages/<locale>/<name>` → `<language>/<name>` →
    /// `<name>`) with the site's variables (escaped) plus `extra`; `LOCALE` is the language chosen.
    func page(_ name: String, in language: Language, variables extra: [String: String] = [:], status: HTTPResponse.Status = .ok) throws -> Response {
        let settings = self.settings.snapshot
        let (url, locale) = language.languages.resolve(name, in: directory)
        var variables = TemplateVariables(extra)
        variables["SITE_NAME"] = settings[CoreSettings.siteName]
        variables["SITE"] = settings[CoreSettings.siteURL]
        variables["LOCALE"] = locale
        variables["POLICY"] = language.messages[.policy]
        variables["SCRIPT_MESSAGES"] = language.messages.scriptJSON
        variables["MIN_LENGTH"] = String(settings[ResetPasswordSettings.passwordMinLength])
        variables["BLOCKLIST_HIDDEN"] = settings[ResetPasswordSettings.passwordBlocklistFile].isEmpty ? "hidden" : ""
        Self.addErrorVariables(to: &variables)
        let template = try templates.template(at: url)
        var headers = Self.pageHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentLanguage] = locale
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: template.render(variables, as: .html))))
    }

    /// Fills the error summary's variables from `ERROR` and the field errors: without an error the
    /// summary is `hidden`; with one it takes the focus (`autofocus`, so without script too), links to
    /// `ERROR_FIELD`, and each field with its own error is marked `aria-invalid`.
    static func addErrorVariables(to variables: inout TemplateVariables) {
        for name in ["ERROR", "NEW_PASSWORD_ERROR", "CONFIRM_PASSWORD_ERROR"] where variables[name] == nil { variables[name] = "" }
        let hasError = variables["ERROR"] != ""
        variables["ERROR_HIDDEN"] = hasError ? "" : "hidden"
        variables["ERROR_AUTOFOCUS"] = hasError ? "autofocus" : ""
        if variables["ERROR_FIELD"] == nil {
            variables["ERROR_FIELD"] = variables["CONFIRM_PASSWORD_ERROR"] != "" ? "confirm_password" : "new_password"
        }
        variables["NEW_PASSWORD_INVALID"] = variables["NEW_PASSWORD_ERROR"] != "" ? "true" : "false"
        variables["CONFIRM_PASSWORD_INVALID"] = variables["CONFIRM_PASSWORD_ERROR"] != "" ? "true" : "false"
    }

    /// The file `templates/pages/assets/<name>`; 404 for a name outside the folder, an unknown
    /// extension or a missing file.
    func asset(_ name: String) throws -> Response {
        guard Self.isAssetName(name), let type = name.split(separator: ".").last.flatMap({ Self.assetTypes[String($0)] }) else {
            throw HTTPError(.notFound)
        }
        let url = directory.appendingPathComponent("assets").appendingPathComponent(name)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              (attributes[.size] as? Int ?? Int.max) <= Self.maximumAssetSize,
              let data = try? Data(contentsOf: url)
        else { throw HTTPError(.notFound) }
        return PageHeaders.asset(data, type: type)
    }

    /// A plain file name: letters, digits, `-`, `_`, one or more dots inside, never `..` or a slash.
    static func isAssetName(_ name: String) -> Bool {
        guard (1...100).contains(name.count), let first = name.unicodeScalars.first, CharacterSet.alphanumerics.contains(first),
              !name.contains("..")
        else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_" || scalar == ".")
        }
    }

    /// The security headers of every page.
    static var pageHeaders: HTTPFields {
        PageHeaders.secure(contentSecurityPolicy: contentSecurityPolicy)
    }
}
