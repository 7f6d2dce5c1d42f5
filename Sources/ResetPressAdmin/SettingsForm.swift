import Foundation
import ResetPressEngine
import ResetPressHTTP

/// The WordPress-style settings form, generated from the settings registry: a section per
/// group, a field per setting by kind. Field names are the setting keys.
///
/// Controls: bool → checkbox (after a hidden `false`, so an unticked box is sent), int → number,
/// string → text, text → textarea, enum → select, secret → password (never filled in; empty
/// keeps the value, the "clear" box removes it), list → textarea with one item per line.
/// Pinned settings are disabled and name their source.
struct SettingsForm {
    let snapshot: SettingsSnapshot

    // MARK: - Reading a submission

    /// The changes a submitted form asks for among `keys`: only the fields sent whose value
    /// differs from the one in force (so saving never copies defaults into the database), and
    /// every field whose text does not parse (so the write reports it). `submitted` holds the
    /// text sent per key (secrets excluded) to show again after a refused save.
    func changes(from parameters: RequestParameters, keys: [String]) -> (changes: [String: SettingsEngine.Input], submitted: [String: String]) {
        var changes: [String: SettingsEngine.Input] = [:]
        var submitted: [String: String] = [:]
        for key in keys where !AdminSettings.protectedKeys.contains(key) {
            guard let definition = snapshot.definition(key) else { continue }
            let current = snapshot.resolved(key)?.value ?? definition.defaultValue
            switch definition.kind {
            case .secret:
                if parameters.contains("_clear.\(key)") {
                    if snapshot.resolved(key)?.source == .database { changes[key] = .unset }
                } else if let text = parameters[key], !text.isEmpty {
                    changes[key] = .text(text)
                }
            case .list:
                guard let raw = parameters[key] else { continue }
                let text = Self.normalizeNewlines(raw)
                submitted[key] = text
                let items = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                if SettingValue.list(items) != current { changes[key] = .value(.list(items)) }
            default:
                guard let raw = parameters[key] else { continue }
                let text = definition.kind == .text ? Self.normalizeNewlines(raw) : raw
                submitted[key] = text
                if case .success(let value) = definition.validate(text: text), value == current { continue }
                changes[key] = .text(text)
            }
        }
        return (changes, submitted)
    }

    /// Browsers send textarea lines ended by CRLF; settings keep LF.
    static func normalizeNewlines(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// The messages of a refused write by setting key.
    static func messagesByKey(_ error: SettingsWriteError) -> [String: [String]] {
        Dictionary(grouping: error.messages, by: \.key).mapValues { $0.map(\.description) }
    }

    // MARK: - Rendering

    /// Every registered setting, a `<section>` per group.
    func sections(submitted: [String: String], errors: [String: [String]]) -> String {
        var groups: [(String, [SettingDefinition])] = []
        for definition in snapshot.allDefinitions {
            if let last = groups.indices.last, groups[last].0 == definition.group {
                groups[last].1.append(definition)
            } else {
                groups.append((definition.group, [definition]))
            }
        }
        return groups.map { group, definitions in
            let id = "group-" + group.replacingOccurrences(of: ".", with: "-")
            return "<section class=\"group\" id=\"\(AdminPage.escape(id))\"><h2>\(AdminPage.escape(Self.title(group)))"
                + " <code>\(AdminPage.escape(group))</code></h2><table class=\"form-table\" role=\"presentation\">"
                + definitions.map { row($0, submitted: submitted[$0.name], errors: errors[$0.name] ?? []) }.joined()
                + "</table></section>"
        }.joined()
    }

    /// One setting's table row: label, control, description, source, messages.
    func row(_ definition: SettingDefinition, submitted: String?, errors: [String]) -> String {
        let key = definition.name
        let resolved = snapshot.resolved(key)
        let source = resolved?.source ?? .defaultValue
        let label = Self.title(String(key.split(separator: ".").last ?? Substring(key)))
        var cell = control(definition, value: resolved?.value ?? definition.defaultValue, submitted: submitted, source: source)
        cell += "<p class=\"description\">\(AdminPage.escape(definition.description))</p>"
        cell += "<p class=\"source\">" + Self.sourceText(source, key: key) + "</p>"
        cell += errors.map { "<p class=\"field-error\" role=\"alert\">\(AdminPage.escape($0))</p>" }.joined()
        let rowClass = errors.isEmpty ? "field" : "field has-error"
        return "<tr class=\"\(rowClass)\" id=\"row-\(AdminPage.escape(key))\"><th scope=\"row\"><label for=\"setting-\(AdminPage.escape(key))\">"
            + "\(AdminPage.escape(label))</label><code>\(AdminPage.escape(key))</code></th><td>\(cell)</td></tr>"
    }

    /// The input for a setting.
    func control(_ definition: SettingDefinition, value: SettingValue, submitted: String?, source: SettingSource) -> String {
        let key = AdminPage.escape(definition.name)
        let readOnly = source.isPinned || AdminSettings.protectedKeys.contains(definition.name)
        let common = "id=\"setting-\(key)\" name=\"\(key)\"" + (readOnly ? " disabled" : "")
        switch definition.kind {
        case .bool:
            let checked = submitted.map { $0 == "true" } ?? (value == .bool(true))
            return (readOnly ? "" : "<input type=\"hidden\" name=\"\(key)\" value=\"false\">")
                + "<input type=\"checkbox\" \(common) value=\"true\"\(checked ? " checked" : "")>"
        case .int:
            return "<input type=\"number\" \(common) value=\"\(AdminPage.escape(submitted ?? value.description))\" class=\"small-text\">"
        case .string:
            return "<input type=\"text\" \(common) value=\"\(AdminPage.escape(submitted ?? value.description))\" class=\"regular-text\">"
        case .text:
            return "<textarea \(common) rows=\"8\" class=\"large-text\">\(AdminPage.escape(submitted ?? value.description))</textarea>"
        case .list:
            let items: [String]
            if case .list(let list) = value { items = list } else { items = [] }
            return "<textarea \(common) rows=\"3\" class=\"regular-text\" placeholder=\"one per line\">"
                + "\(AdminPage.escape(submitted ?? items.joined(separator: "\n")))</textarea>"
        case .enumeration(let cases):
            let selected = submitted ?? value.description
            return "<select \(common)>" + cases.map { option in
                "<option value=\"\(AdminPage.escape(option))\"\(option == selected ? " selected" : "")>\(AdminPage.escape(option))</option>"
            }.joined() + "</select>"
        case .secret:
            let isSet = !value.description.isEmpty
            var html = "<input type=\"password\" \(common) value=\"\" autocomplete=\"new-password\" class=\"regular-text\""
                + " placeholder=\"\(isSet ? (readOnly ? "set" : "set (leave empty to keep)") : "not set")\">"
            if isSet && source == .database && !readOnly {
                html += " <label class=\"inline\"><input type=\"checkbox\" name=\"_clear.\(key)\" value=\"1\"> clear</label>"
            }
            return html
        }
    }

    /// Where the value comes from, and why a field is read-only.
    static func sourceText(_ source: SettingSource, key: String) -> String {
        if AdminSettings.protectedKeys.contains(key) {
            return "Read-only here: set it with <code>resetpress admin set-password</code>."
        }
        switch source {
        case .environment(let variable):
            return "<span class=\"pinned\">Pinned by the environment variable <code>\(AdminPage.escape(variable))</code>; read-only here.</span>"
        case .file(let path):
            return "<span class=\"pinned\">Pinned by <code>\(AdminPage.escape(path))</code>; read-only here.</span>"
        case .database: return "Saved here."
        case .defaultValue: return "Default."
        }
    }

    /// `reset_password` → "Reset password", `mail.smtp` → "Mail › Smtp".
    static func title(_ name: String) -> String {
        name.split(separator: ".").map { part in
            let words = part.replacingOccurrences(of: "_", with: " ")
            return words.prefix(1).uppercased() + words.dropFirst()
        }.joined(separator: " › ")
    }
}
