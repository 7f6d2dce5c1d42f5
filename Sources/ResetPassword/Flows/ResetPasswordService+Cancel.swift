import Foundation
import Logging
import ResetPressEngine
import ResetPressStorage
import ResetPressUsers

/// "That wasn't me" (issue 14, item 3): the owner of an account revokes a reset they did not ask for.
///
/// Every reset mail carries `{{CANCEL_LINK}}`, a second token stored only as its keyed hash on the
/// code's row. Only the POST of the cancel page spends it: the pending code is deleted and, for
/// `reset_password.cancel_block_minutes`, requests for the account are answered as throttled.
extension ResetPasswordService {
    /// Handles `POST /_resetpassword/cancel`: revokes the pending code whose cancel token this is,
    /// blocks the account's resets for `reset_password.cancel_block_minutes`, records a `cancelled`
    /// event (`resetpress stats`) and fires `reset_password_cancelled` with the user's login.
    ///
    /// Returns whether a code was cancelled; callers answer the same either way, so the answer
    /// tells nobody whether a token was live. Throws only the per-IP limit and internal errors.
    @discardableResult
    public func cancelReset(cancelToken: String, clientIP: String, context: HookContext, settings: SettingsSnapshot) async throws -> Bool {
        let now = clock()
        try await admit(clientIP, settings: settings, now: now)
        guard let record = try await record(cancelToken: cancelToken) else {
            logger.info("reset cancel with an unknown or used link", metadata: ["client_ip": "\(clientIP)"])
            return false
        }
        var userContext = context
        var login = ""
        if let user = try await users.user(byEmail: record.email), user.id == record.userID {
            userContext = context.with(user: user, mode: settings[ResetPasswordSettings.mode])
            login = user.login
        }
        let blockUntil = now.addingTimeInterval(Double(settings[ResetPasswordSettings.cancelBlockMinutes] * 60))
        let cancelled = events == nil ? [] : [ResetEvent(.cancelled, at: now, clientIP: clientIP, userID: record.userID)]
        let reports = webhooks.deliveries("reset_password_cancelled", login, userContext)
        let revoke = ResetChange.Codes.revoke(id: record.id, userID: record.userID, blockUntil: blockUntil)
        guard try await codes.apply(ResetChange(revoke, effects: ResetEffects(events: cancelled, webhooks: reports), now: now)).wasApplied else {
            return false
        }
        await events?.announce(cancelled)
        if !reports.isEmpty { webhooks.queued() }
        logger.notice(
            "reset cancelled by the account's owner",
            metadata: ["user_id": "\(record.userID)", "client_ip": "\(clientIP)", "blocked_until": "\(blockUntil.timeIntervalSince1970)"])
        await hooks.doAction("reset_password_cancelled", login, context: userContext)
        return true
    }

    /// Whether a cancel blocks the resets of user `userID` at `now`.
    func isBlocked(userID: Int64, now: Date) async throws -> Bool {
        guard let until = try await codes.blockedUntil(userID: userID) else { return false }
        return until > now
    }
}
