/// A feature that plugs into the engine: the reset module is the first one, a host may add its own.
///
/// The engine calls `registerSettings` for every plugin, active or not (so that settings files
/// naming its keys stay valid), then `activate` only for the active ones (`plugins.<id>.active`).
/// A part of the site every host runs (mail delivery, the HTTP settings, event retention) is a
/// plugin that is ``isAlwaysOn``: it has no `plugins.<id>.active` and is always activated.
public protocol Plugin: Sendable {
    /// A stable identifier (`reset_password`), used in `plugins.<id>.active`.
    var id: String { get }
    /// The name shown by `resetpress plugins list`.
    var name: String { get }
    /// The plugin's version.
    var version: String { get }
    /// Registers the plugin's settings and cross-setting rules.
    func registerSettings(in settings: SettingsEngine)
    /// Registers the plugin's hooks and jobs; called once the settings are loaded.
    func activate(in engine: Engine) async throws
    /// Whether the plugin is a part of the site that cannot be switched off (false by default).
    var isAlwaysOn: Bool { get }
}

extension Plugin {
    /// The setting that turns the plugin off.
    public var activeKey: SettingKey<Bool> {
        SettingKey("plugins.\(id).active", default: true, kind: .bool, description: "Whether the \(name) plugin runs.")
    }

    public func activate(in engine: Engine) async throws {}

    public var isAlwaysOn: Bool { false }
}
