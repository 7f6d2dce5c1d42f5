import Foundation
import ResetPressEngine
import ResetPressStorage
import ResetPressUsers

/// The support desk: find a user, read what happened to their resets, and act for them — send a
/// reset through the normal flow, hand over a one-time link, expire the password, lift a block.
///
/// It works on the site's own user table (a host's directory keeps its own users, so there is no
/// desk then). Every action goes through the reset flows; the callers record them in the audit trail.
public struct SupportDesk: Sendable {
    let users: any UserStore
    let codes: any ResetCodeStore
    let events: (any EventStore)?
    let outbox: any MailOutbox
    let service: ResetPasswordService

    /// A desk over the site's users, codes, events and outbox, acting through `service`.
    public init(users: any UserStore, codes: any ResetCodeStore, events: (any EventStore)?, outbox: any MailOutbox, service: ResetPasswordService) {
        self.users = users
        self.codes = codes
        self.events = events
        self.outbox = outbox
        self.service = service
    }

    /// Users whose email or login starts with `prefix`, by id, `limit` after skipping `offset`.
    public func search(_ prefix: String, offset: Int, limit: Int) async throws -> [User] {
        try await users.search(prefix.trimmingCharacters(in: .whitespaces), offset: offset, limit: limit)
    }

    /// The user with id `id`, or nil.
    public func user(id: Int64) async throws -> User? {
        try await users.user(id: id)
    }

    /// The user `text` names: by email when it has an `@`, else by login, else by email.
    public func user(named text: String) async throws -> User? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.contains("@"), let user = try await users.user(byEmail: trimmed) { return user }
        if let user = try await users.user(byLogin: trimmed) { return user }
        return try await users.user(byEmail: trimmed)
    }

    /// What happened to `user`'s resets at `now`: at most `limit` events and `limit` mails.
    public func timeline(for user: User, now: Date, limit: Int = 100) async throws -> UserTimeline {
        try await UserTimeline.read(for: user, desk: self, now: now, limit: limit)
    }

    /// Sends `user` a reset now, through the normal flow and its limits (the per-IP limit counts
    /// `clientIP`, the admin's); returns the flow's answer. What came of it shows on the timeline.
    public func sendReset(to user: User, clientIP: String, context: HookContext, settings: SettingsSnapshot) async throws -> String {
        try await service.requestReset(parameters: ["email": user.email], clientIP: clientIP, context: context, settings: settings)
    }

    /// A one-time link for `user` to hand over (``ResetPasswordService/handoverLink(for:)``).
    public func handoverLink(for user: User) async throws -> HandoverLink {
        try await service.handoverLink(for: user)
    }

    /// Makes `user`'s password unusable until a reset sets one.
    public func expirePassword(of user: User) async throws {
        try await service.expirePassword(of: user)
    }

    /// Ends `user`'s "that wasn't me" block early; false when there was none.
    public func liftBlock(of user: User) async throws -> Bool {
        try await service.liftBlock(of: user)
    }

    /// Deletes `user` and everything kept of them: codes, block, mail and events (their timeline).
    public func delete(_ user: User) async throws -> Bool {
        guard let id = user.id else { throw SupportActionError.noSuchUser }
        return try await codes.deleteUser(id)
    }
}
