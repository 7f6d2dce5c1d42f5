import Foundation

extension SettingsSnapshot {
    /// A would-be snapshot for previews: these settings with `changes` applied, built in a
    /// throw-away engine in memory, so nothing is stored and no hook fires.
    ///
    /// Each change is checked by its setting's kind and validator; a change to an unknown or
    /// pinned setting or with a bad value throws `SettingsWriteError` naming it. Cross-setting
    /// rules are not checked (a real write does that).
    public func applying(_ changes: [String: SettingsEngine.Input]) async throws -> SettingsSnapshot {
        var values: [String: SettingValue] = [:]
        for definition in allDefinitions {
            if let resolved = resolved(definition.name) { values[definition.name] = resolved.value }
        }
        var messages: [SettingsMessage] = []
        for (key, input) in changes.sorted(by: { $0.key < $1.key }) {
            guard let definition = definition(key) else {
                messages.append(SettingsMessage(key: key, message: "Unknown setting '\(key)'."))
                continue
            }
            if let source = resolved(key)?.source, source.isPinned {
                messages.append(SettingsMessage(key: key, message: "\(key) is pinned (\(source)); it cannot be changed here."))
                continue
            }
            let result: Result<SettingValue, SettingProblem>
            switch input {
            case .text(let text): result = definition.validate(text: text)
            case .value(let value): result = definition.validate(value)
            case .unset: result = .success(definition.defaultValue)
            }
            switch result {
            case .success(let value): values[key] = value
            case .failure(let problem): messages.append(SettingsMessage(key: key, message: "\(key): \(problem.message)", code: problem.code))
            }
        }
        guard messages.isEmpty else { throw SettingsWriteError(messages: messages) }
        let engine = SettingsEngine(store: MemorySettingsStore(values), environment: [:], settingsDirectory: nil, hooks: HookRegistry())
        for definition in allDefinitions { engine.register(definition) }
        try await engine.load()
        return engine.snapshot
    }
}
