import Foundation
import ResetPressEngine
import ResetPressStorage
import ResetPressUsers

/// Why a support desk action was refused.
public enum SupportActionError: Error, Equatable, CustomStringConvertible {
    /// The user said "that wasn't me": no link is made for them until the block ends or is lifted.
    case blocked(until: Date)
    /// The user is not in the site's user table (a host's directory keeps its own).
    case noSuchUser

    public var description: String {
        switch self {
        case .blocked(let until):
            "This user said \"that wasn't me\" and is blocked until \(until.formatted(.iso8601)); lift the block first if they asked you for a link."
        case .noSuchUser: "No such user."
        }
    }
}

/// A link made for the support desk to hand over, shown once and kept only as a hash.
public struct HandoverLink: Sendable {
    /// The reset page's URL with the link token: give it to the user, it is not shown again.
    public let url: String
    /// When it stops working.
    public let expiresAt: Date
}

extension ResetPasswordService {
    /// A fresh single-use link for `user` that the support desk hands over when mail does not reach
    /// them, valid `reset_password.handover_minutes`. It replaces the user's current code, like a
    /// request. Only its hashes are stored; it reaches no mail, hook, webhook, event or log: the
    /// event records that a link was made, not the link. Refused while a "that wasn't me" block lasts.
    public func handoverLink(for user: User) async throws -> HandoverLink {
        guard let userID = user.id else { throw SupportActionError.noSuchUser }
        let settings = self.settings.snapshot
        let now = clock()
        if let until = try await codes.blockedUntil(userID: userID), until > now { throw SupportActionError.blocked(until: until) }
        let linkToken = CodeGenerator.linkToken(naming: userID)
        let expiresAt = now.addingTimeInterval(Double(settings[ResetPasswordSettings.handoverMinutes] * 60))
        // No code and no cancel token are made: the link is what the user gets.
        let record = NewResetCode(
            userID: userID, email: user.email.lowercased(), codeHash: InstallSecret.unmatchedHash(), linkHash: secret.hash(linkToken),
            createdAt: now, expiresAt: expiresAt, requestIP: "", cancelHash: InstallSecret.unmatchedHash())
        let recorded = events == nil ? [] : [ResetEvent(.handover, at: now, userID: userID)]
        _ = try await codes.apply(ResetChange(.issue(record), effects: ResetEffects(events: recorded), now: now))
        await events?.announce(recorded)
        let link = composer.variables(user: user, code: nil, linkToken: linkToken, expiresAt: expiresAt, clientIP: "", settings: settings)["RESET_LINK"] ?? ""
        return HandoverLink(url: link, expiresAt: expiresAt)
    }

    /// Makes `user`'s password unusable (like `reset send --expire-passwords`), so only a reset
    /// sets a new one.
    public func expirePassword(of user: User) async throws {
        guard let userID = user.id else { throw SupportActionError.noSuchUser }
        try await users.setPasswordHash(PasswordHasher.unusableHash, forUserID: userID, at: clock())
    }

    /// Ends `user`'s "that wasn't me" block early; false when there was none.
    public func liftBlock(of user: User) async throws -> Bool {
        guard let userID = user.id else { throw SupportActionError.noSuchUser }
        return try await codes.liftBlock(userID: userID)
    }
}
