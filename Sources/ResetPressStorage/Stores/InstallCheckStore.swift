import Foundation

/// Which install keys a database works with, kept as check values (``InstallSecret/checkValue``:
/// an HMAC of a fixed label, never the key), so that a server or CLI started with another
/// `secret.key` refuses to start instead of sealing mail, hashing codes and signing webhooks that the
/// other nodes cannot open or check.
public protocol InstallCheckStore: Sendable {
    /// Whether `check` is one the database works with. A database that records none yet (new, or
    /// from a build before the check) records `check` as its first, at `now`, and answers true. Two
    /// nodes starting at once on a new database with different secrets: one records, the other is
    /// refused.
    func admits(_ check: Data, now: Date) async throws -> Bool

    /// Records `check` as one the database works with, at `now`: when `secret rotate` staged its
    /// key or `secret promote` made it current (a check recorded before takes the new time).
    func record(_ check: Data, now: Date) async throws

    /// Every recorded check, oldest first.
    func recorded() async throws -> [InstallCheck]

    /// Forgets every check but `kept` (`secret retire`): a node whose key is gone is refused.
    func keep(only kept: [Data]) async throws
}

/// A check value the database works with, and when its key was last staged or made current.
public struct InstallCheck: Sendable, Equatable {
    public let value: Data
    public let recordedAt: Date

    public init(value: Data, recordedAt: Date) {
        self.value = value
        self.recordedAt = recordedAt
    }
}
