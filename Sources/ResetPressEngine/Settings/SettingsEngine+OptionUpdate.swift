extension SettingsEngine {
    /// The argument of the `update_option` and `update_option_<key>` actions (secrets masked).
    public struct OptionUpdate: Sendable, Codable, Equatable {
        /// How this process learned of the change.
        public enum Origin: String, Sendable, Codable {
            /// This process wrote the value (admin page, admin API, CLI).
            case write
            /// This process re-read its settings and found the value changed: another node's
            /// write to a shared database, or `SIGHUP` / `resetpress settings reload` after a
            /// CLI write or a settings file edit. An action with effects outside this process
            /// (a notice to a person) should act on `write` only, or it acts once per node.
            case reload
        }

        /// The setting's key.
        public let key: String
        /// The value in force before, as listings show it.
        public let oldValue: String
        /// The value in force now, as listings show it.
        public let newValue: String
        /// Whether this process wrote the value or found it on re-reading.
        public let origin: Origin
    }

    /// One update per key of `keys` whose value in force differs between the snapshots, sorted by key.
    static func updates(from before: SettingsSnapshot, to after: SettingsSnapshot, keys: [String], origin: OptionUpdate.Origin) -> [OptionUpdate] {
        keys.sorted().compactMap { key -> OptionUpdate? in
            guard let definition = after.definition(key) ?? before.definition(key) else { return nil }
            let old = before.resolved(key)?.value ?? definition.defaultValue
            let new = after.resolved(key)?.value ?? definition.defaultValue
            guard old != new else { return nil }
            return OptionUpdate(key: key, oldValue: definition.display(old), newValue: definition.display(new), origin: origin)
        }
    }
}
