import Foundation
import ResetPassword
import ResetPressUsers
import Synchronization

/// The Bulk reset page's first steps waiting for their confirm: each a one-time random token bound
/// to the admin session that reviewed it, for at most ``lifetime`` seconds.
///
/// Kept in this process: a confirm that reaches another node (or comes after a restart) is refused
/// and the admin reviews again, which sends nothing twice.
final class BulkResetConfirmations: Sendable {
    /// A reviewed bulk reset.
    struct Pending: Sendable {
        let token: String
        let sessionID: String
        let request: BulkResetRequest
        let createdAt: Date
    }

    /// How long a review can be confirmed.
    static let lifetime: TimeInterval = 15 * 60
    /// How many reviews wait at most (the oldest goes first).
    static let capacity = 100

    private let pending = Mutex<[Pending]>([])

    /// Remembers `request`, reviewed by the session `sessionID`; returns the token its confirm must carry.
    func add(_ request: BulkResetRequest, sessionID: String, now: Date) -> String {
        let token = CodeGenerator.code(length: 32, charset: .alnum)
        pending.withLock { list in
            list.removeAll { now.timeIntervalSince($0.createdAt) > Self.lifetime }
            list.append(Pending(token: token, sessionID: sessionID, request: request, createdAt: now))
            list.removeFirst(max(0, list.count - Self.capacity))
        }
        return token
    }

    /// The request `token` confirms for the session `sessionID`, removed so it cannot be confirmed
    /// twice; nil for a missing, unknown, used, expired or other session's token.
    func take(_ token: String?, sessionID: String, now: Date) -> BulkResetRequest? {
        guard let token, !token.isEmpty else { return nil }
        return pending.withLock { list in
            guard let index = list.firstIndex(where: { $0.sessionID == sessionID && ConstantTime.equals(Array($0.token.utf8), Array(token.utf8)) }) else { return nil }
            let found = list.remove(at: index)
            return now.timeIntervalSince(found.createdAt) <= Self.lifetime ? found.request : nil
        }
    }
}
