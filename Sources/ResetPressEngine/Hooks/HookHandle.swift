/// Identifies one registered callback, so that it can be removed again.
public struct HookHandle: Hashable, Sendable {
    /// The hook name without the `simple_jwt_login_` prefix.
    public let name: String
    /// The priority the callback was added with.
    public let priority: Int
    let id: UInt64
}

/// Hook names may be written with or without SJL's prefix; they are stored without it.
enum HookName {
    static let legacyPrefix = "simple_jwt_login_"

    /// The canonical form of a hook name.
    @inline(__always)
    static func normalize(_ name: String) -> String {
        name.hasPrefix(legacyPrefix) ? String(name.dropFirst(legacyPrefix.count)) : name
    }
}
