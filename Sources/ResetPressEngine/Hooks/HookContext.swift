import Foundation

/// What a hook learns about the request it runs for: never passwords, codes or auth codes.
///
/// The context is plain data so that executable hooks receive it as JSON. Per-request state
/// belongs here, not in globals.
public struct HookContext: Sendable, Codable, Equatable {
    /// The user a reset concerns, as hooks may see it.
    public struct User: Sendable, Codable, Equatable {
        public var id: Int64?
        public var login: String
        public var email: String
        public var displayName: String
        public var firstName: String
        public var lastName: String

        public init(id: Int64?, login: String, email: String, displayName: String, firstName: String, lastName: String) {
            self.id = id
            self.login = login
            self.email = email
            self.displayName = displayName
            self.firstName = firstName
            self.lastName = lastName
        }
    }

    /// Parameter names (compared case-insensitively) whose values never reach a hook, a log or an
    /// error message; any name containing `password`, `secret`, `code` or `token` is withheld too,
    /// and so are the names a caller adds (the configured `reset_password.auth_code_key`).
    public static let secretParameterNames: Set<String> = [
        "password", "new_password", "confirm_password", "code", "auth_code", "auth_key", "jwt", "token",
    ]

    public var method: String?
    public var path: String?
    public var clientIP: String?
    public var parameters: [String: String]
    public var user: User?
    public var site: String?
    public var mode: String?
    /// The request's language preferences, best first: its `locale` parameter, then its
    /// `Accept-Language` tags by quality. Not encoded: hooks see the `locale` parameter itself.
    public var preferredLocales: [String] = []

    /// An empty context, for hooks run outside a request (CLI, jobs).
    public static let empty = HookContext()

    /// A context; `parameters` are kept minus every secret name, `withholding` naming the ones a
    /// setting renamed (the auth code key).
    public init(
        method: String? = nil, path: String? = nil, clientIP: String? = nil,
        parameters: [String: String] = [:], withholding secretNames: [String] = [], user: User? = nil, site: String? = nil,
        mode: String? = nil
    ) {
        self.method = method
        self.path = path
        self.clientIP = clientIP
        self.parameters = parameters.filter { !Self.isSecret(parameter: $0.key, alsoSecret: secretNames) }
        self.user = user
        self.site = site
        self.mode = mode
    }

    /// Whether a request parameter must be withheld from hooks: a fixed secret name, a name containing
    /// `password`, `secret`, `code` or `token`, or one of `extra`; all case-insensitive.
    public static func isSecret(parameter name: String, alsoSecret extra: [String] = []) -> Bool {
        let lower = name.lowercased()
        if secretParameterNames.contains(lower) || extra.contains(where: { $0.lowercased() == lower }) { return true }
        let bytes = Array(lower.utf8)
        return secretWords.contains { word in
            bytes.count >= word.count && (0...bytes.count - word.count).contains { bytes[$0..<$0 + word.count].elementsEqual(word) }
        }
    }

    /// The words that make a parameter secret wherever they stand in its name, as bytes: a plain scan of a
    /// short name costs less than Foundation's locale-aware `contains` or the standard library's searcher.
    private static let secretWords = ["password", "secret", "code", "token"].map { Array($0.utf8) }

    enum CodingKeys: String, CodingKey {
        case method, path, parameters, user, site, mode
        case clientIP = "client_ip"
    }
}
