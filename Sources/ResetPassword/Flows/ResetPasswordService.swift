import Foundation
import Logging
import ResetPressEngine
import ResetPressMail
import ResetPressStorage
import ResetPressTemplates
import ResetPressUsers

/// The reset flows of SPEC §4: request a code, change the password with it or with a link token.
///
/// HTTP-agnostic: the routes, the CLI and the Coronium API call it with plain parameters.
/// Failures the client may see are `ResetFailure`; any other error is internal (500).
/// Each flow takes its request's `settings`: the one snapshot its route read the client IP and the
/// hook context with, so a request sees one version of the settings from start to end.
public final class ResetPasswordService: Sendable {
    /// The site's live settings: a flow reads one snapshot of them per request.
    let settings: SettingsEngine
    /// The site's filters and actions.
    let hooks: HookRegistry
    /// The site root: the password blocklist file and the templates are found under it.
    let root: URL
    let logger: Logger
    let users: any UserDirectory
    let codes: any ResetCodeStore
    let gate: AuthCodeGate
    let secret: InstallSecret
    let hasher: PasswordHasher
    let composer: ResetMailComposer
    let limiter: IPRateLimiter
    let equalizer = LatencyEqualizer()
    /// `reset_password.password_blocklist_file`, read once and again when it changes.
    let blocklist = PasswordBlocklist()
    let clock: @Sendable () -> Date
    /// Says a mail was queued, with its entry when it was inserted under a ``claimMail`` claim.
    let mailQueued: @Sendable (OutboxEntry?) -> Void
    /// The webhook deliveries each change queues in its transaction.
    let webhooks: ResetWebhooks
    /// Waits for room in the outbox before a request that may queue mail (see `OutboxBacklog`).
    let admitMail: @Sendable () async -> Void
    /// The claim to insert a mail under, so this node's sender delivers it from memory; nil queues it.
    let claimMail: @Sendable () -> QueueClaim?
    /// Records what each flow did: with the state change, in its transaction, or on its own for a
    /// refusal that changes nothing (see ``EventRecorder``); nil records nothing.
    let events: EventRecorder?
    /// Whether `users` is the code store's own user table, so a change is one transaction.
    let passwordsInCodeStore: Bool

    init(
        settings: SettingsEngine, hooks: HookRegistry, root: URL, logger: Logger, users: any UserDirectory, codes: any ResetCodeStore, gate: AuthCodeGate, secret: InstallSecret,
        hasher: PasswordHasher, templates: TemplateCache, rateLimits: any RateLimitStore, clock: @escaping @Sendable () -> Date,
        passwordsInCodeStore: Bool, events: EventRecorder? = nil, webhooks: ResetWebhooks = .none,
        mailQueued: @escaping @Sendable (OutboxEntry?) -> Void, admitMail: @escaping @Sendable () async -> Void,
        claimMail: @escaping @Sendable () -> QueueClaim? = { nil }
    ) {
        self.admitMail = admitMail
        self.claimMail = claimMail
        self.webhooks = webhooks
        self.events = events
        self.passwordsInCodeStore = passwordsInCodeStore
        self.settings = settings
        self.hooks = hooks
        self.root = root
        self.logger = logger
        self.limiter = IPRateLimiter(store: rateLimits)
        self.users = users
        self.codes = codes
        self.gate = gate
        self.secret = secret
        self.hasher = hasher
        self.composer = ResetMailComposer(hooks: hooks, root: root, templates: templates)
        self.clock = clock
        self.mailQueued = mailQueued
    }

    /// The success message of a request in the current mode.
    static func requestMessage(_ mode: ResetMode) -> String {
        mode == .storeOnly ? "The Code has been saved into the database." : "Reset password email has been sent."
    }

    /// The success message of a change.
    static let changedMessage = "User Password has been changed."

    // MARK: - Request

    /// Handles `POST reset_password`: issues a code (and mail) for the email, or answers the
    /// same without issuing anything when the email is unknown or the account throttled.
    ///
    /// In a mode that mails, it first waits for room in the outbox, whether or not the email is known, and
    /// before the clock the enumeration padding measures starts.
    public func requestReset(parameters: [String: String], clientIP: String, context: HookContext, settings: SettingsSnapshot) async throws -> String {
        let now = clock()
        try await admit(clientIP, settings: settings, now: now)
        if settings[ResetPasswordSettings.mode] != .storeOnly { await admitMail() }
        let start = ContinuousClock.now
        guard let email = parameters["email"]?.trimmingBlanks(), !email.isEmpty else { throw ResetFailure.missingEmail }
        guard EmailAddressValidator.isValid(email) else { throw ResetFailure.invalidEmail }
        try gate.check(parameters: parameters, settings: settings, now: now)
        var request = ResetEvent(.request, at: now, clientIP: clientIP)
        let mode = settings[ResetPasswordSettings.mode]
        let message = Self.requestMessage(mode)

        let throttle = settings[ResetPasswordSettings.throttleSeconds]
        guard let requester = try await requester(email: email, throttled: throttle > 0), let userID = requester.user.id else {
            if settings[ResetPasswordSettings.revealUnknownUsers] { throw ResetFailure.wrongUser }
            await hooks.doAction("reset_password_failed", "unknown_email", context: context)
            await events?.record([request, ResetEvent(.unknownEmail, at: now, clientIP: clientIP)])
            await equalizer.pad(since: start)
            return message
        }
        let user = requester.user
        request.userID = userID
        let userContext = context.with(user: user, mode: mode)
        guard await hooks.applyFilters("allow_password_reset", true, context: userContext) else {
            await hooks.doAction("reset_password_failed", "reset_not_allowed", context: userContext)
            await events?.record([request, ResetEvent(.vetoed, at: now, clientIP: clientIP, userID: userID)])
            await equalizer.pad(since: start)
            return message
        }
        if let until = requester.blockedUntil, until > now {
            await hooks.doAction("reset_password_failed", "cancelled_block", context: userContext)
            await events?.record([request, ResetEvent(.blocked, at: now, clientIP: clientIP, userID: userID)])
            await equalizer.pad(since: start)
            return message
        }
        if throttle > 0, let last = requester.lastIssued, now.timeIntervalSince(last) < Double(throttle) {
            await hooks.doAction("reset_password_failed", "throttled", context: userContext)
            await events?.record([request, ResetEvent(.throttled, at: now, clientIP: clientIP, userID: userID)])
            await equalizer.pad(since: start)
            return message
        }

        try await issue(for: user, userID: userID, settings: settings, now: now, clientIP: clientIP, context: userContext, recording: [request])
        equalizer.record(ContinuousClock.now - start)
        return message
    }

    /// The user with `email`, their block and (when `throttled`) their current code's age: one read
    /// when the users live beside the codes, else the host's directory and then the code store.
    private func requester(email: String, throttled: Bool) async throws -> ResetRequester? {
        if passwordsInCodeStore { return try await codes.requester(email: email) }
        guard let user = try await users.user(byEmail: email), let userID = user.id else { return nil }
        return ResetRequester(
            user: user, blockedUntil: try await codes.blockedUntil(userID: userID),
            lastIssued: throttled ? try await codes.lastIssued(userID: userID) : nil)
    }

    /// Creates a code, and a link and a cancel token when a mail carries them, for the user; stores their
    /// hashes, queues the mail and the `reset_password_request` webhooks and records `prior` and
    /// `code_issued` in one transaction, then fires `reset_password_code_created` and `reset_password_request`.
    func issue(
        for user: User, userID: Int64, settings: SettingsSnapshot, now: Date, clientIP: String, context: HookContext,
        override: MailOverride? = nil, extraVariables: TemplateVariables = TemplateVariables(), recording prior: [ResetEvent] = []
    ) async throws {
        let code = CodeGenerator.code(length: settings[ResetPasswordSettings.codeLength], charset: settings[ResetPasswordSettings.codeCharset])
        let ttl = await hooks.applyFilters("reset_password_expiration", settings[ResetPasswordSettings.codeTTL], context: context)
        let expiresAt = now.addingTimeInterval(Double(max(1, ttl)))
        var message: OutboxMail?
        // Only a mail carries the link and cancel tokens. Without one no token exists, and the code
        // stores hashes that no token matches.
        let linkHash: Data, cancelHash: Data
        if override == nil && settings[ResetPasswordSettings.mode] == .storeOnly {
            (linkHash, cancelHash) = (InstallSecret.unmatchedHash(), InstallSecret.unmatchedHash())
        } else {
            let linkToken = CodeGenerator.linkToken(naming: userID)
            let cancelToken = CodeGenerator.linkToken(naming: userID)
            (linkHash, cancelHash) = (secret.hash(linkToken), secret.hash(cancelToken))
            let own = composer.variables(
                user: user, code: code, linkToken: linkToken, cancelToken: cancelToken, expiresAt: expiresAt, clientIP: clientIP, settings: settings)
            // Caller keys (Coronium templateKeys, appName) may add and rename, never replace the code or links.
            var variables = own.merging(extraVariables)
            for name in ["CODE", "RESET_LINK", "CANCEL_LINK"] { variables[name] = own[name] }
            message = try await composer.resetMail(user: user, variables: variables, settings: settings, context: context, override: override)
        }
        // Sealed before it is stored: only a sender opens it, with the install secret's key.
        let mail = try message?.sealed(with: secret.mailSealer())
        let record = NewResetCode(
            userID: userID, email: user.email.lowercased(), codeHash: secret.hash(code), linkHash: linkHash,
            createdAt: now, expiresAt: expiresAt, requestIP: clientIP, cancelHash: cancelHash)
        let recorded = events == nil ? [] : prior + [ResetEvent(.codeIssued, at: now, clientIP: clientIP, userID: userID)]
        let reports = webhooks.deliveries("reset_password_request", user.login, context)
        let effects = ResetEffects(mail: mail, mailClaim: mail == nil ? nil : claimMail(), events: recorded, webhooks: reports)
        let applied = try await codes.applyClaimingMail(ResetChange(.issue(record), effects: effects, now: now))
        await events?.announce(recorded)
        if let message { mailQueued(handedOff(message, id: applied.claimedMailID, effects: effects, now: now)) }
        if !reports.isEmpty { webhooks.queued() }
        await hooks.doAction("reset_password_code_created", code, context: context)
        await hooks.doAction("reset_password_request", user.login, context: context)
    }

    /// The entry of `mail`, inserted as `id` under the effects' claim, to hand to this node's sender
    /// with its message in clear; nil when the store queued it unclaimed.
    private func handedOff(_ mail: OutboxMail, id: Int64?, effects: ResetEffects, now: Date) -> OutboxEntry? {
        guard let id, let claim = effects.mailClaim else { return nil }
        return OutboxEntry(id: id, payload: mail, now: now, claim: claim)
    }

    // MARK: - Change

    /// Handles `PUT reset_password` (and a POST carrying `code` and `new_password`).
    public func changePassword(parameters: [String: String], clientIP: String, context: HookContext, settings: SettingsSnapshot) async throws -> String {
        let now = clock()
        try await admit(clientIP, settings: settings, now: now)
        guard let email = parameters["email"]?.trimmingBlanks(), !email.isEmpty else { throw ResetFailure.missingEmail }
        guard let rawPassword = parameters["new_password"], !rawPassword.isEmpty else { throw ResetFailure.missingNewPassword }
        guard let code = parameters["code"], !code.isEmpty else { throw ResetFailure.missingCode }
        guard EmailAddressValidator.isValid(email) else { throw ResetFailure.invalidEmail }
        try gate.check(parameters: parameters, settings: settings, now: now)
        let password = try PasswordPolicy.decode(rawPassword, settings: settings)
        try PasswordPolicy.check(password, settings: settings)
        try checkBlocklist(password, settings: settings)

        guard let record = try await codes.current(email: email.lowercased()) else {
            await hooks.doAction("reset_password_failed", "no_code", context: context)
            await events?.record([ResetEvent(.wrongCode, at: now, clientIP: clientIP)])
            throw ResetFailure.invalidCode
        }
        return try await complete(record: record, presentedHashes: secret.hashes(code), against: \.codeHash, password: password, settings: settings, now: now, clientIP: clientIP, context: context)
    }

    /// Handles `POST /_resetpassword`: the form page's change by link token.
    public func changePassword(linkToken: String, newPassword: String, confirmation: String?, clientIP: String, context: HookContext, settings: SettingsSnapshot) async throws -> String {
        let now = clock()
        try await admit(clientIP, settings: settings, now: now)
        guard !linkToken.isEmpty else { throw ResetFailure.missingCode }
        guard !newPassword.isEmpty else { throw ResetFailure.missingNewPassword }
        if let confirmation, confirmation != newPassword { throw ResetFailure.passwordRule(PasswordPolicy.mismatchMessage) }
        try PasswordPolicy.check(newPassword, settings: settings)
        try checkBlocklist(newPassword, settings: settings)
        guard let record = try await record(linkToken: linkToken) else {
            await hooks.doAction("reset_password_failed", "no_code", context: context)
            await events?.record([ResetEvent(.wrongCode, at: now, clientIP: clientIP)])
            throw ResetFailure.invalidCode
        }
        return try await complete(record: record, presentedHashes: secret.hashes(linkToken), against: \.linkHash, password: newPassword, settings: settings, now: now, clientIP: clientIP, context: context)
    }

    /// Whether a link token is live (the form page shows the form or the "new link" page).
    public func isLinkValid(_ linkToken: String) async throws -> Bool {
        guard let record = try await record(linkToken: linkToken) else { return false }
        return record.expiresAt > clock() && record.attempts < self.settings[ResetPasswordSettings.maxAttempts]
    }

    /// The code `linkToken` is for: its user's current code when its hash under one of the install
    /// keys (the current key first, so a link mailed before `secret rotate` still works) is the
    /// code's link hash. A token that names no user is looked up by those hashes instead.
    func record(linkToken: String) async throws -> ResetCodeRecord? {
        try await record(of: linkToken, hash: { $0.linkHash }) { try await codes.current(linkHash: $0) }
    }

    /// The code `cancelToken` is for, found like ``record(linkToken:)``.
    func record(cancelToken: String) async throws -> ResetCodeRecord? {
        try await record(of: cancelToken, hash: { $0.cancelHash }) { try await codes.current(cancelHash: $0) }
    }

    /// The code `token` is for: by the user it names, compared in constant time with the code's
    /// `hash`, or else the first code `lookup` finds by its hash under each install key; nil for an
    /// empty token.
    private func record(
        of token: String, hash: (ResetCodeRecord) -> Data?, lookup: (Data) async throws -> ResetCodeRecord?
    ) async throws -> ResetCodeRecord? {
        guard !token.isEmpty else { return nil }
        let hashes = secret.hashes(token)
        if let userID = CodeGenerator.userID(namedBy: token) {
            guard let record = try await codes.current(userID: userID), let stored = hash(record), ConstantTime.equalsAny(hashes, stored) else {
                return nil
            }
            return record
        }
        for hash in hashes {
            if let record = try await lookup(hash) { return record }
        }
        return nil
    }

    /// Claims a guess, compares in constant time, then sets the password and consumes the code.
    private func complete(
        record: ResetCodeRecord, presentedHashes: [Data], against field: any KeyPath<ResetCodeRecord, Data> & Sendable, password: String,
        settings: SettingsSnapshot, now: Date, clientIP: String, context: HookContext
    ) async throws -> String {
        guard record.expiresAt > now else {
            let expired = events == nil ? [] : [ResetEvent(.expired, at: now, clientIP: clientIP, userID: record.userID)]
            _ = try await codes.apply(ResetChange(.delete(id: record.id, userID: record.userID), effects: ResetEffects(events: expired), now: now))
            await hooks.doAction("reset_password_failed", "expired", context: context)
            await events?.announce(expired)
            throw ResetFailure.invalidCode
        }
        let maxAttempts = settings[ResetPasswordSettings.maxAttempts]
        // A refused guess is recorded in the claim's transaction: burned when no guess was left, wrong otherwise.
        let recording = events != nil
        let claimed = try await codes.claimAttempt(id: record.id, userID: record.userID, maxAttempts: maxAttempts) { claimed in
            guard recording else { return [] }
            guard let claimed else { return [ResetEvent(.burned, at: now, clientIP: clientIP, userID: record.userID)] }
            return ConstantTime.equalsAny(presentedHashes, claimed[keyPath: field]) ? [] : [ResetEvent(.wrongCode, at: now, clientIP: clientIP, userID: record.userID)]
        }
        guard let claimed, ConstantTime.equalsAny(presentedHashes, claimed[keyPath: field]) else {
            await hooks.doAction("reset_password_failed", "wrong_code", context: context)
            await events?.announce([ResetEvent(claimed == nil ? .burned : .wrongCode, at: now, clientIP: clientIP, userID: record.userID)])
            throw ResetFailure.invalidCode
        }
        guard let user = try await users.user(byEmail: claimed.email), let userID = user.id, userID == claimed.userID else {
            _ = try await codes.apply(ResetChange(.delete(id: claimed.id, userID: claimed.userID), now: now))
            throw ResetFailure.invalidCode
        }
        // The rule that reads the account runs only here, after the code proved the right to change
        // it: earlier, a refusal would tell anyone which names an address's account has.
        try PasswordPolicy.checkPersonal(password, person: PasswordPolicy.Person(user), siteName: settings[CoreSettings.siteName])
        let userContext = context.with(user: user, mode: settings[ResetPasswordSettings.mode])
        let newHash = try await hasher.hash(password, cost: settings[ResetPasswordSettings.passwordHashCost])
        var notice: OutboxMail?
        if settings[ResetPasswordSettings.notifyPasswordChanged] {
            // The notice is admitted to the outbox like a request's mail: a full outbox holds it (mail.queue_limit).
            await admitMail()
            let variables = composer.variables(user: user, code: nil, linkToken: nil, expiresAt: nil, clientIP: clientIP, settings: settings)
            notice = try await composer.changedNotice(user: user, variables: variables, settings: settings, context: userContext)
        }
        let completed = events == nil ? [] : [ResetEvent(.completed, at: now, clientIP: clientIP, userID: userID)]
        let reports = webhooks.deliveries("password_reset", user.login, userContext)
        let effects = ResetEffects(mail: notice, mailClaim: notice == nil ? nil : claimMail(), events: completed, webhooks: reports)
        if !passwordsInCodeStore {
            // A host's directory is not in the code's transaction: the hash goes first, so a crash
            // between the two leaves the new password and a live code, never a used code and the old one.
            try await users.setPasswordHash(newHash, forUserID: userID, at: now)
        }
        let spend = ResetChange.Codes.spend(id: claimed.id, userID: userID, passwordHash: passwordsInCodeStore ? newHash : nil)
        let applied = try await codes.applyClaimingMail(ResetChange(spend, effects: effects, now: now))
        guard applied.outcome.wasApplied else { throw ResetFailure.invalidCode }
        await events?.announce(completed)
        if let notice { mailQueued(handedOff(notice, id: applied.claimedMailID, effects: effects, now: now)) }
        if !reports.isEmpty { webhooks.queued() }
        await hooks.doAction("password_reset", user.login, context: userContext)
        return Self.changedMessage
    }

    /// Checks a password an owner sets for `person` (an admin page) against every rule of
    /// ``PasswordPolicy``: the same rules a reset applies.
    public func checkNewPassword(_ password: String, for person: PasswordPolicy.Person) throws(ResetFailure) {
        try PasswordPolicy.check(
            password, for: person, settings: self.settings.snapshot, root: root, blocklist: blocklist, logger: logger)
    }

    /// Refuses a password on the site's blocklist; the same for every account, so it runs before the code is checked.
    private func checkBlocklist(_ password: String, settings: SettingsSnapshot) throws(ResetFailure) {
        let listed = blocklist.contains(
            password, path: settings[ResetPasswordSettings.passwordBlocklistFile], root: root, logger: logger)
        try PasswordPolicy.checkBlocklist(password, isListed: listed)
    }

    /// Applies the per-IP limit.
    func admit(_ clientIP: String, settings: SettingsSnapshot, now: Date) async throws {
        guard settings[ResetPasswordSettings.enabled] else { throw ResetFailure.disabled }
        if let retryAfter = try await limiter.admit(clientIP, limit: settings[ResetPasswordSettings.ipLimitPerMinute], now: now) {
            await events?.record([ResetEvent(.rateLimited, at: now, clientIP: clientIP)])
            throw ResetFailure.rateLimited(retryAfter: retryAfter)
        }
    }
}

extension HookContext {
    /// The context with the user (minus secrets) and the mode filled in.
    func with(user: ResetPressUsers.User, mode: ResetMode) -> HookContext {
        var context = self
        context.user = HookContext.User(
            id: user.id, login: user.login, email: user.email, displayName: user.displayName,
            firstName: user.firstName, lastName: user.lastName)
        context.mode = mode.rawValue
        return context
    }
}
