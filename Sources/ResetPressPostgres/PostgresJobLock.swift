import PostgresNIO
import ResetPressEngine

/// A job lock made of PostgreSQL session advisory locks.
///
/// `withLock` leases one pooled connection for the whole run, takes
/// `pg_try_advisory_lock(hashtextextended('resetpress.job.' || name, 0))` on it (never waiting),
/// runs the body and unlocks on the same connection. Session locks were chosen over
/// `pg_try_advisory_xact_lock` so that a long job does not keep a transaction open (which would
/// hold back vacuum); the server releases a session lock by itself when the connection drops,
/// so a node that dies mid-run does not keep the job locked. The run occupies one of the pool's
/// connections while it lasts.
public struct PostgresJobLock: JobLock {
    let client: PostgresClient

    public func withLock<T: Sendable>(_ name: String, _ body: () async throws -> T) async throws -> T? {
        let key = "resetpress.job." + name
        return try await client.withConnection { connection -> T? in
            let locked = try await connection.rows("SELECT pg_try_advisory_lock(hashtextextended(\(key), 0))")
            guard try locked.first?.decode(Bool.self) == true else { return nil }
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            // An unlock can only fail when the connection broke, which released the lock anyway.
            _ = try? await connection.rows("SELECT pg_advisory_unlock(hashtextextended(\(key), 0))")
            return try result.get()
        }
    }
}
