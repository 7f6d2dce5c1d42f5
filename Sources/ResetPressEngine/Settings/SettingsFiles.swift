import Foundation

/// Reads `settings/*.json`: objects of setting keys or nested objects that flatten to them.
enum SettingsFiles {
    /// One setting found in a file.
    struct Entry {
        let value: SettingValue
        let path: String
    }

    /// Reads every `*.json` file in name order (a later file wins), validating against `definitions`
    /// and the members of `families` (keyed by the member's one spelling).
    /// Paths in messages are relative to `root` when below it. With `onlyKnown`, keys missing from
    /// `definitions` are skipped instead of refused. A file or folder that `trust` refuses (another
    /// user may write it) throws before any file is read, naming it and the command that fixes it.
    static func load(
        directory: URL, definitions: [String: SettingDefinition], families: [SettingFamily] = [], root: URL?, onlyKnown: Bool = false,
        trust: FileTrust
    ) throws(SettingsLoadError) -> [String: Entry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            return [:]
        }
        for name in names {
            let url = directory.appendingPathComponent(name)
            let problem = root.map { trust.problem(inSite: $0, at: url) } ?? trust.problem(at: url.path)
            if let problem { throw SettingsLoadError(source: display(url, root: root), key: nil, reason: "not trusted: \(problem)") }
        }
        var entries: [String: Entry] = [:]
        for name in names {
            let url = directory.appendingPathComponent(name)
            let shown = display(url, root: root)
            let object: [String: FileJSON]
            do {
                object = try JSONDecoder().decode([String: FileJSON].self, from: Data(contentsOf: url))
            } catch {
                throw SettingsLoadError(source: shown, key: nil, reason: "must hold a JSON object of settings")
            }
            for (key, raw) in flatten(object) {
                guard let definition = definitions[key] ?? families.lazy.compactMap({ $0.definition(named: key) }).first else {
                    if onlyKnown { continue }
                    throw SettingsLoadError(source: shown, key: key, reason: "unknown setting")
                }
                guard let value = settingValue(raw) else {
                    throw SettingsLoadError(source: shown, key: key, reason: "must be a string, number, boolean or list of strings")
                }
                switch definition.validate(value) {
                case .success(let checked): entries[definition.name] = Entry(value: checked, path: shown)
                case .failure(let problem): throw SettingsLoadError(source: shown, key: key, reason: problem.message)
                }
            }
        }
        return entries
    }

    /// `{"mail": {"smtp": {"port": 25}}}` → `["mail.smtp.port": 25]`.
    static func flatten(_ object: [String: FileJSON], prefix: String = "") -> [(String, FileJSON)] {
        object.flatMap { key, value -> [(String, FileJSON)] in
            let full = prefix.isEmpty ? key : "\(prefix).\(key)"
            if case .object(let nested) = value { return flatten(nested, prefix: full) }
            return [(full, value)]
        }
    }

    /// Converts a JSON scalar or list to a setting value.
    static func settingValue(_ raw: FileJSON) -> SettingValue? {
        switch raw {
        case .string(let string): return .string(string)
        case .bool(let bool): return .bool(bool)
        case .number(let double):
            guard double == double.rounded(), abs(double) < 1e15 else { return nil }
            return .int(Int(double))
        case .array(let items):
            let strings = items.compactMap { item -> String? in
                if case .string(let string) = item { return string }
                return nil
            }
            return strings.count == items.count ? .list(strings) : nil
        case .object, .null: return nil
        }
    }

    private static func display(_ url: URL, root: URL?) -> String {
        guard let root else { return url.path }
        let rootPath = root.standardizedFileURL.path
        let path = url.standardizedFileURL.path
        return path.hasPrefix(rootPath + "/") ? String(path.dropFirst(rootPath.count + 1)) : path
    }
}

/// The JSON a settings file may hold.
enum FileJSON: Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([FileJSON])
    case object([String: FileJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([FileJSON].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: FileJSON].self))
        }
    }
}
