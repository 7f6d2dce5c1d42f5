import Foundation

/// One step of a reset flow as one unit of work: everything it changes, which
/// ``ResetCodeStore/apply(_:)`` writes in one transaction, all of it or none of it.
public struct ResetChange: Sendable, Equatable {
    /// What the step does to the reset codes (and, with them, to the user's password hash and block).
    public enum Codes: Sendable, Equatable {
        /// Stores the code, replacing every earlier code of its user.
        case issue(NewResetCode)
        /// Spends code `id` of user `userID`: if it is still the user's code, deletes it and sets the
        /// user's password hash in the store's own user table when `passwordHash` is given (nil when the
        /// users live in a host's directory).
        case spend(id: Int64, userID: Int64, passwordHash: String?)
        /// Revokes code `id` of user `userID` (the owner's "that wasn't me"): if it is still the user's
        /// code, deletes it and blocks the user's resets until `blockUntil`, unless a recorded block ends later.
        case revoke(id: Int64, userID: Int64, blockUntil: Date)
        /// Deletes code `id` of user `userID` if it is still the user's code (an expired code that was
        /// tried, or a stray one).
        case delete(id: Int64, userID: Int64)
    }

    /// What happens to the codes.
    public var codes: Codes
    /// The mail, events and webhook deliveries that go with it.
    public var effects: ResetEffects
    /// When the step happens: the queue time of its mail and webhooks and the user's `updated_at`.
    public var now: Date

    public init(_ codes: Codes, effects: ResetEffects = ResetEffects(), now: Date) {
        self.codes = codes
        self.effects = effects
        self.now = now
    }
}

/// What applying a ``ResetChange`` did.
public enum ResetChangeOutcome: Sendable, Equatable {
    /// The code was issued with this id, and the rest of the change written.
    case issued(id: Int64)
    /// The change was written.
    case applied
    /// The code a spend or revoke names was gone (used, replaced, cancelled or flushed): nothing was written.
    case codeGone

    /// Whether anything was written.
    public var wasApplied: Bool { self != .codeGone }
}
