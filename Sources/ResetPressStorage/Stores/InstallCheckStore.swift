import Foundation

/// Which install secrets a database works with, kept as check values (``InstallSecret/checkValue``:
/// an HMAC of a fixed label, never the secret), so that a server or CLI started with another
/// `secret.key` refuses to start instead of sealing mail, hashing codes and signing webhooks that the
/// other nodes cannot open or check.
public protocol InstallCheckStore: Sendable {
    /// Whether `check` is one the database works with. A database that records none yet (new, or
    /// from a build before the check) records `check` as its first, at `now`, and answers true. Two
    /// nodes starting at once on a new database with different secrets: one records, the other is
    /// refused.
    func admits(_ check: Data, now: Date) async throws -> Bool
}
