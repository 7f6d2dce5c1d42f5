import Foundation

/// An admin session as the pages see it: the id for the cookie, the CSRF token, the state.
public struct AdminSession: Sendable, Equatable {
    /// The random id carried by the session cookie (64 hex characters); only its hash is stored.
    public let id: String
    /// The CSRF token every form and state-changing API call of this session must carry.
    public let csrfToken: String
    /// Whether the admin password was presented.
    public let isSignedIn: Bool
}

extension AdminSessionStore {
    /// Starts an anonymous session (for the sign-in form's CSRF token), keeping at most `capacity`.
    public func startAnonymous(now: Date, capacity: Int = AdminSessionPolicy.defaultCapacity) async throws -> AdminSession {
        try await start(signedIn: false, passwordHash: nil, now: now, capacity: capacity)
    }

    /// Ends `previousID` (if any) and starts a signed-in session with a new id and CSRF token, so
    /// an id planted before sign-in is worth nothing after it; keeps at most `capacity`.
    public func signIn(
        replacing previousID: String?, passwordHash: String, now: Date, capacity: Int = AdminSessionPolicy.defaultCapacity
    ) async throws -> AdminSession {
        if let previousID { try await end(id: previousID) }
        return try await start(signedIn: true, passwordHash: passwordHash, now: now, capacity: capacity)
    }

    /// The live session with this id, its last-seen time moved to `now`; nil (and the session
    /// deleted) when it expired or, signed in, when the admin password is no longer `passwordHash`.
    public func session(id: String, idleTimeout: TimeInterval, passwordHash: String, now: Date) async throws -> AdminSession? {
        let hash = AdminSessionPolicy.idHash(id)
        let fingerprint = AdminSessionPolicy.fingerprint(passwordHash)
        guard let record = try await touch(idHash: hash, idleTimeout: idleTimeout, passwordFingerprint: fingerprint, now: now) else {
            _ = try await remove(idHash: hash)
            return nil
        }
        return AdminSession(id: id, csrfToken: record.csrfToken, isSignedIn: record.isSignedIn)
    }

    /// Ends a session (sign-out); ending an unknown id does nothing.
    public func end(id: String) async throws {
        _ = try await remove(idHash: AdminSessionPolicy.idHash(id))
    }

    /// Adds a notice for the session's next page.
    public func addNotice(_ notice: AdminNotice, to id: String) async throws {
        try await appendNotice(notice, idHash: AdminSessionPolicy.idHash(id))
    }

    /// The session's pending notices, each returned once.
    public func takeNotices(id: String) async throws -> [AdminNotice] {
        try await takeNotices(idHash: AdminSessionPolicy.idHash(id))
    }

    private func start(signedIn: Bool, passwordHash: String?, now: Date, capacity: Int) async throws -> AdminSession {
        let session = AdminSession(id: AdminSessionPolicy.randomToken(), csrfToken: AdminSessionPolicy.randomToken(), isSignedIn: signedIn)
        try await insert(
            AdminSessionRecord(
                idHash: AdminSessionPolicy.idHash(session.id), csrfToken: session.csrfToken, isSignedIn: signedIn,
                passwordFingerprint: passwordHash.map(AdminSessionPolicy.fingerprint), createdAt: now, lastSeen: now),
            capacity: capacity, now: now)
        return session
    }
}

extension AdminNotice {
    /// The notices in `json`, a JSON array of `{"kind": ..., "text": ...}` objects as the stores keep
    /// them; throws `StorageError.unreadable` for anything else.
    public static func list(fromJSON json: String) throws -> [AdminNotice] {
        do {
            return try JSONDecoder().decode([AdminNotice].self, from: Data(json.utf8))
        } catch {
            throw StorageError.unreadable("the notices of an admin session (\(error))")
        }
    }
}
