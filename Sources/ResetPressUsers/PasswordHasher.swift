import Foundation

/// Hashes and verifies passwords with bcrypt on a bounded set of dedicated threads.
///
/// New hashes use WordPress 6.8's scheme (`$wp$2y$NN$…`, see ``PasswordHashFormat/wordPressBcrypt(cost:)``):
/// no silent truncation at 72 bytes, and the hashes verify in WordPress as they are. ``verify(_:against:)``
/// also accepts the legacy formats a WordPress or bcrypt site may bring along (see ``PasswordHashFormat``).
///
/// Hashing never runs on Swift concurrency's cooperative threads nor on an event loop: it runs on
/// `maxConcurrent` threads owned by this hasher, and callers beyond that wait suspended, holding no thread.
/// Share one hasher per process; its threads stop when it is released.
public final class PasswordHasher: Sendable {
    /// The bcrypt cost used when none is configured (WordPress uses 10, ResetPress defaults to 12).
    public static let defaultCost = 12
    /// The costs bcrypt accepts; each step doubles the work.
    public static let allowedCosts: ClosedRange<Int> = 4...31
    /// Longest password accepted, in UTF-8 bytes (WordPress's limit): longer ones never hash nor verify.
    public static let maxPasswordBytes = 4096
    /// The stored hash of a user with no password: nothing verifies against it.
    public static let unusableHash = "!"

    /// The most hashes computed at once.
    public var maxConcurrent: Int { pool.threadCount }

    /// The threads that run bcrypt and phpass.
    let pool: BlockingWorkerPool

    /// Creates a hasher that computes at most `maxConcurrent` hashes at once (at least 1; default: one per core).
    public init(maxConcurrent: Int = ProcessInfo.processInfo.activeProcessorCount) {
        pool = BlockingWorkerPool(threadCount: maxConcurrent, name: "rp-hasher")
    }

    deinit {
        pool.shutdown()
    }

    /// Returns a new `$wp$2y$` hash of `password` (every byte counts) at bcrypt `cost`.
    ///
    /// Throws ``PasswordHasherError/invalidCost(_:)`` when `cost` is outside ``allowedCosts`` and
    /// ``PasswordHasherError/passwordTooLong(maxBytes:)`` past ``maxPasswordBytes``. The password is
    /// hashed exactly as given (not trimmed).
    public func hash(_ password: String, cost: Int = PasswordHasher.defaultCost) async throws -> String {
        guard Self.allowedCosts.contains(cost) else { throw PasswordHasherError.invalidCost(cost) }
        guard password.utf8.count <= Self.maxPasswordBytes else {
            throw PasswordHasherError.passwordTooLong(maxBytes: Self.maxPasswordBytes)
        }
        return await pool.run { WordPressBcrypt.hash(password, cost: cost) }
    }

    /// Returns whether `password` matches `hash`.
    ///
    /// - `$wp$2y$`/`$wp$2b$`: bcrypt of the WordPress pre-hash of the whole password.
    /// - `$2a$`/`$2b$`/`$2y$`: bcrypt of the raw password, as bcrypt decides (bytes past 72 ignored).
    /// - `$P$`/`$H$`: phpass portable MD5, compared in constant time.
    /// - Anything else, ``unusableHash`` included, and passwords past ``maxPasswordBytes``: `false`.
    public func verify(_ password: String, against hash: String) async -> Bool {
        guard password.utf8.count <= Self.maxPasswordBytes, let format = PasswordHashFormat(hash: hash) else {
            return false
        }
        switch format {
        case .wordPressBcrypt:
            return await pool.run { WordPressBcrypt.verify(password, against: hash) }
        case .bcrypt:
            return await pool.run { WordPressBcrypt.verifyPlain(password, against: hash) }
        case .phpass:
            return await pool.run { PHPass.verify(password, against: hash) }
        case .unusable:
            return false
        }
    }

    /// Whether `hash` should be replaced by a fresh one after the password next verifies or changes:
    /// `true` for anything but a `$wp$` hash whose cost is at least `cost` (legacy formats, lower cost,
    /// unusable or unknown hashes).
    public func needsRehash(_ hash: String, cost: Int) -> Bool {
        guard case .wordPressBcrypt(let current) = PasswordHashFormat(hash: hash) else { return true }
        return current < cost
    }
}

/// Why ``PasswordHasher`` refused to hash a password.
public enum PasswordHasherError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bcrypt cost is outside ``PasswordHasher/allowedCosts``.
    case invalidCost(Int)
    /// The password is longer than the limit, in UTF-8 bytes.
    case passwordTooLong(maxBytes: Int)

    /// A message that says what went wrong and what to do.
    public var description: String {
        switch self {
        case .invalidCost(let cost):
            return "bcrypt cost \(cost) is out of range; use a cost from 4 to 31 (12 is the default)."
        case .passwordTooLong(let maxBytes):
            return "The password is longer than \(maxBytes) bytes; choose a shorter one."
        }
    }
}
