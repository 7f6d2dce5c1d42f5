import Foundation
import ResetPressTemplates

/// A mail template a caller names: Coronium's `tpl_name` (`PasswordResetLinkOptions.templateName`,
/// `resetpress reset send --template`) and the `reset_password.email_template` setting. It is always
/// a file in `templates/password/` (or a language folder of it), never a path: the one check every
/// caller shares, so no name can make the server mail another file.
enum PasswordTemplateName {
    /// What a caller may name, for error messages.
    static let allowed = "a file name in templates/password/ made of letters, digits, '.', '-' and '_', not starting with '.' (no folders, no '..')"

    /// Why `name` is not a template name, or nil when it is.
    static func problem(_ name: String) -> String? {
        let permitted = name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar))
        }
        return !name.isEmpty && permitted && !name.hasPrefix(".") && name.count <= 255 ? nil : "must be \(allowed)"
    }

    /// Throws when `name` is not a template name.
    static func check(_ name: String) throws(PasswordTemplateError) {
        if problem(name) != nil { throw .invalidName(name) }
    }

    /// The file `name` names in `directory`, after both checks: a template name, and inside the folder.
    static func file(_ name: String, in directory: URL) throws(PasswordTemplateError) -> URL {
        try check(name)
        let url = directory.appendingPathComponent(name)
        try checkInside(url, directory: directory)
        return url
    }

    /// Throws when the file at `url`, once symbolic links are followed, is not inside `directory`
    /// (itself with its links followed). A missing file passes: reading it reports that.
    static func checkInside(_ url: URL, directory: URL) throws(PasswordTemplateError) {
        let folder = directory.resolvingSymlinksInPath().standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let target = url.resolvingSymlinksInPath().standardizedFileURL.path
        guard target.hasPrefix(folder + "/") else { throw .outsideFolder(url.lastPathComponent, target: target) }
    }
}

/// Why a named template is refused before anything is queued.
enum PasswordTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name is a path, hidden, or has characters a file name here may not have.
    case invalidName(String)
    /// The file is a symbolic link that leads out of `templates/password/`.
    case outsideFolder(String, target: String)
    /// A Coronium template has no `{* reset_link *}`: the user could not reach the reset form.
    case missingResetLink(String)

    var description: String {
        switch self {
        case .invalidName(let name):
            "\(name.debugDescription) is not a template name: give \(PasswordTemplateName.allowed)."
        case .outsideFolder(let name, let target):
            "templates/password/\(name) leads to \(target), outside templates/password/: a template must be a file in that folder."
        case .missingResetLink(let name):
            "templates/password/\(name) has no {* reset_link *} (or {{ RESET_LINK }}): without it the user has no way to reach "
                + "the reset form. Add the placeholder to the template."
        }
    }
}
