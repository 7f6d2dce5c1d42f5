import Foundation

/// The role a host application plays to bring its own users to ResetPress.
///
/// ResetPress only ever looks a user up by email and replaces a password hash; everything else
/// about users (creation, sessions, roles) stays with the host. Implementations must be safe to
/// call concurrently.
public protocol UserDirectory: Sendable {
    /// Returns the user whose email equals `email` ignoring case, or `nil` when there is none.
    ///
    /// - The whole address is compared, ignoring case (at least for ASCII letters); the directory
    ///   does not trim or otherwise normalise `email` — callers pass it trimmed.
    /// - At most one user can match, since emails are unique ignoring case.
    /// - An unknown email is `nil`, never an error; throw only when the lookup itself fails
    ///   (for example the database is unreachable).
    func user(byEmail email: String) async throws -> User?

    /// Replaces the password hash of the user with identifier `id` by `hash`, and sets its `updatedAt` to `date`.
    ///
    /// - `hash` is stored verbatim: it is an opaque string made by ``PasswordHasher`` and is not validated.
    /// - Setting the same hash again succeeds (the call is idempotent apart from `updatedAt`).
    /// - Throws ``UserDirectoryError/notFound(userID:)`` when no user has identifier `id`;
    ///   other errors only when the write itself fails.
    func setPasswordHash(_ hash: String, forUserID id: Int64, at date: Date) async throws
}

/// Errors a ``UserDirectory`` reports about the users it holds.
public enum UserDirectoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No user has this identifier.
    case notFound(userID: Int64)
    /// Another user already has this email (compared ignoring case).
    case duplicateEmail(String)

    /// A message that says what went wrong and what to do.
    public var description: String {
        switch self {
        case .notFound(let id):
            return "No user has id \(id); list users to find the right one."
        case .duplicateEmail(let email):
            return "A user with email \(email) already exists; emails are unique ignoring case."
        }
    }
}
