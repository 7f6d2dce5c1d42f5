import Foundation

/// Reads a setting that is needed before the database opens (`storage.url`), so it can only
/// come from the environment or `settings/*.json`, with the engine's precedence and naming.
public enum BootstrapSetting {
    /// The value of `key` pinned by the environment (`RESETPRESS_<KEY>`) or, failing that, by the
    /// settings files (in name order, a later file winning), with its source; nil when neither sets it.
    ///
    /// Other keys in the files are not checked here (the engine checks them at start). A file
    /// that is not a JSON object, or a bad value for `key`, throws `SettingsLoadError` naming it.
    public static func value<Value>(
        of key: SettingKey<Value>, environment: [String: String], settingsDirectory: URL, root: URL? = nil
    ) throws(SettingsLoadError) -> (value: Value, source: SettingSource)? {
        let definition = key.definition
        if let text = environment[definition.environmentVariable] {
            switch definition.validate(text: text) {
            case .success(let value):
                if let typed = Value(settingValue: value) { return (typed, .environment(variable: definition.environmentVariable)) }
            case .failure(let problem):
                throw SettingsLoadError(source: definition.environmentVariable, key: definition.name, reason: problem.message)
            }
        }
        let entries = try SettingsFiles.load(directory: settingsDirectory, definitions: [definition.name: definition], root: root, onlyKnown: true,
            trust: FileTrust(environment: environment))
        guard let entry = entries[definition.name], let typed = Value(settingValue: entry.value) else { return nil }
        return (typed, .file(path: entry.path))
    }
}
