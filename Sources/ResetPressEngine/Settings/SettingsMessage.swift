/// Why a value was refused: a sentence for a person, and SJL's error code where it has one.
public struct SettingProblem: Error, Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public let message: String
    public let code: Int?

    public init(_ message: String, code: Int? = nil) {
        self.message = message
        self.code = code
    }

    public init(stringLiteral message: String) {
        self.init(message)
    }

    public var description: String { message }
}

/// A problem with one setting in a write, a file or the environment.
public struct SettingsMessage: Sendable, Equatable, CustomStringConvertible {
    /// The setting concerned.
    public let key: String
    /// A full sentence naming the setting and what to do.
    public let message: String
    /// SJL's error code, when it has one (10066, 10076, 7001).
    public let code: Int?

    public init(key: String, message: String, code: Int? = nil) {
        self.key = key
        self.message = message
        self.code = code
    }

    public var description: String { code.map { "\(message) (\($0))" } ?? message }
}

/// A write that changed nothing, with every reason.
public struct SettingsWriteError: Error, Sendable, CustomStringConvertible {
    public let messages: [SettingsMessage]

    public var description: String { messages.map(\.description).joined(separator: "\n") }
}

/// A settings file or environment variable that stops start-up.
public struct SettingsLoadError: Error, Sendable, CustomStringConvertible {
    /// The file path or variable name at fault.
    public let source: String
    public let key: String?
    public let reason: String

    public var description: String {
        if let key { "\(source): \(key): \(reason)" } else { "\(source): \(reason)" }
    }
}

/// A rule that spans several settings (custom mode needs `{{CODE}}` in the body).
public struct SettingsRule: Sendable {
    /// The settings the rule reads; it is checked when a write touches one of them.
    public let keys: Set<String>
    /// Returns the problems of a would-be snapshot.
    public let check: @Sendable (SettingsSnapshot) -> [SettingsMessage]

    public init(keys: Set<String>, check: @escaping @Sendable (SettingsSnapshot) -> [SettingsMessage]) {
        self.keys = keys
        self.check = check
    }
}
