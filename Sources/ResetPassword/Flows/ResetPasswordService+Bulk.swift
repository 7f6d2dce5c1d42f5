import Foundation
import ResetPressEngine
import ResetPressUsers

/// What a bulk reset did for one user.
public enum BulkResetOutcome: String, Sendable {
    /// A fresh code and link were issued and the mail queued.
    case queued
    /// `allow_password_reset` refused: nothing sent, the password untouched.
    case vetoed
    /// The user said "that wasn't me" recently (a cancel block): nothing sent, the password untouched.
    case blocked
}

extension ResetPasswordService {
    /// Issues a code and link for `user` and queues the link mail (templates/password/link.html),
    /// on the owner's behalf after a breach: whatever the mode, without the per-IP limit or the
    /// per-account throttle, but `allow_password_reset` and a cancel block still hold.
    ///
    /// With `expirePassword` the stored hash becomes ``PasswordHasher/unusableHash`` before the
    /// mail is queued, so the old password fails from then on and a crash in between leaves an
    /// account that must reset (a rerun of the same run sends its mail), never a live old password.
    public func issueBulk(for user: User, expirePassword: Bool) async throws -> BulkResetOutcome {
        guard let userID = user.id else { return .vetoed }
        let settings = self.settings.snapshot
        let now = clock()
        let context = HookContext(site: settings[CoreSettings.siteURL]).with(user: user, mode: settings[ResetPasswordSettings.mode])
        guard await hooks.applyFilters("allow_password_reset", true, context: context) else {
            await hooks.doAction("reset_password_failed", "reset_not_allowed", context: context)
            return .vetoed
        }
        if try await isBlocked(userID: userID, now: now) {
            await hooks.doAction("reset_password_failed", "cancelled_block", context: context)
            return .blocked
        }
        if expirePassword, user.passwordHash != PasswordHasher.unusableHash {
            try await users.setPasswordHash(PasswordHasher.unusableHash, forUserID: userID, at: now)
        }
        try await issue(
            for: user, userID: userID, settings: settings, now: now, clientIP: "127.0.0.1", context: context,
            override: MailOverride(from: nil, subject: nil, templateName: nil))
        return .queued
    }
}
