import ArgumentParser
import Foundation
import ResetPressTemplates

/// `resetpress templates ...`: check and render the site's templates.
struct TemplatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates", abstract: "Check templates for unknown placeholders, or render one.",
        subcommands: [Check.self, Render.self])

    /// The variables every reset mail gets (SPEC §5), plus Coronium's `reset_link`.
    static let mailVariables: Set<String> = [
        "CODE", "RESET_LINK", "CANCEL_LINK", "NAME", "USERNAME", "EMAIL", "NICKNAME", "FIRST_NAME", "LAST_NAME",
        "SITE", "SITE_NAME", "IP", "EXPIRES_AT", "LOCALE", "reset_link",
    ]

    /// The variables the reset-form pages under `templates/pages/` get.
    static let pageVariables: Set<String> = [
        "CODE", "ERROR", "SITE", "SITE_NAME", "POLICY", "MIN_LENGTH", "BLOCKLIST_HIDDEN", "ERROR_FIELD", "ERROR_HIDDEN",
        "ERROR_AUTOFOCUS", "NEW_PASSWORD_ERROR", "CONFIRM_PASSWORD_ERROR", "NEW_PASSWORD_INVALID", "CONFIRM_PASSWORD_INVALID",
        "LOCALE", "SCRIPT_MESSAGES", "MAX_BYTES", "MISSING",
    ]

    /// The variables the admin layout under `templates/admin/` gets.
    static let adminVariables: Set<String> = ["TITLE", "SITE_NAME", "CSRF", "NAV", "NOTICES", "CONTENT"]

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse every template under templates/ and list placeholders no variable fills (exit 1 when any).",
            discussion: "Mail templates know CODE, RESET_LINK, CANCEL_LINK, NAME, USERNAME, EMAIL, NICKNAME, FIRST_NAME (FIST_NAME), LAST_NAME, SITE, SITE_NAME, IP, EXPIRES_AT, LOCALE and reset_link; pages under templates/pages/ know CODE, ERROR, SITE, SITE_NAME, LOCALE, POLICY, MIN_LENGTH, SCRIPT_MESSAGES and the form's error and field variables (ERROR_FIELD, NEW_PASSWORD_ERROR, ...), their messages.json also MAX_BYTES and MISSING; the admin layout under templates/admin/ knows TITLE, SITE_NAME, CSRF, NAV, NOTICES and CONTENT. Markdown files are skipped.")
        @OptionGroup var site: SiteOptions

        func run() async throws {
            let directory = site.rootURL.appendingPathComponent("templates")
            let files = Self.templateFiles(under: directory)
            guard !files.isEmpty else { throw CLIFailure("no templates under \(directory.path). Check --root.") }
            var unknownCount = 0
            for relative in files {
                let url = directory.appendingPathComponent(relative)
                guard let source = try? String(contentsOf: url, encoding: .utf8) else {
                    print("\(relative): unreadable or not UTF-8")
                    unknownCount += 1
                    continue
                }
                let known = relative.hasPrefix("pages/") ? pageVariables : relative.hasPrefix("admin/") ? adminVariables : mailVariables
                let unknown = Template(source).unknownPlaceholders(known: known)
                unknownCount += unknown.count
                print(unknown.isEmpty ? "\(relative): ok" : "\(relative): unknown \(unknown.joined(separator: ", "))")
            }
            guard unknownCount == 0 else {
                throw CLIFailure("\(unknownCount) unknown placeholder(s); they stay verbatim in the output. Fix the names or add the values (hooks, templateKeys).")
            }
        }

        /// Template files under `directory`, relative and sorted; hidden and Markdown files are skipped.
        static func templateFiles(under directory: URL) -> [String] {
            guard let enumerator = FileManager.default.enumerator(
                at: directory, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
            else { return [] }
            let base = directory.standardizedFileURL.path + "/"
            var files: [String] = []
            for case let url as URL in enumerator {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true, url.pathExtension.lowercased() != "md" else { continue }
                let path = url.standardizedFileURL.path
                files.append(path.hasPrefix(base) ? String(path.dropFirst(base.count)) : url.lastPathComponent)
            }
            return files.sorted()
        }
    }

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a template file with the variables given; placeholders left unfilled are listed on stderr.")
        @OptionGroup var site: SiteOptions
        @Argument(help: "The file: a path, or one relative to templates/ (e.g. password/email.tpl).") var file: String
        @Option(name: .customLong("var"), help: "A variable as KEY=VALUE; repeatable.") var variables: [String] = []
        @Flag(help: "Render as HTML (escape {{ }} and << >> values); the default for .html files.") var html = false

        mutating func validate() throws {
            _ = try KeyValueArguments.parse(variables, option: "--var")
        }

        func run() async throws {
            let direct = URL(fileURLWithPath: file)
            let url = FileManager.default.fileExists(atPath: direct.path)
                ? direct : site.rootURL.appendingPathComponent("templates").appendingPathComponent(file)
            let source: String
            do {
                source = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw CLIFailure("cannot read \(file) (also looked in templates/): \(error.localizedDescription)")
            }
            let values = TemplateVariables(try KeyValueArguments.parse(variables, option: "--var"))
            let asHTML = html || ["html", "htm"].contains(url.pathExtension.lowercased())
            let template = Template(source)
            print(template.render(values, as: asHTML ? .html : .text), terminator: "")
            let unfilled = template.unknownPlaceholders(known: Set(values.names))
            if !unfilled.isEmpty { Terminal.writeError("note: unfilled placeholders: \(unfilled.joined(separator: ", "))\n") }
        }
    }
}
