/// Identifies one registered callback, so that it can be removed again.
public struct HookHandle: Hashable, Sendable {
    /// The hook name without the `simple_jwt_login_` prefix.
    public let name: String
    /// The priority the callback was added with.
    public let priority: Int
    let id: UInt64
}

/// Hook names may be written with or without SJL's prefix; they are stored without it.
@usableFromInline
enum HookName {
    @usableFromInline static let legacyPrefix = "simple_jwt_login_"

    /// The canonical form of a hook name.
    @inlinable
    static func normalize(_ name: String) -> String {
        // Byte comparison: `hasPrefix` compares grapheme clusters and costs several times more.
        name.utf8.starts(with: legacyPrefix.utf8) ? String(decoding: name.utf8.dropFirst(legacyPrefix.utf8.count), as: UTF8.self) : name
    }
}
