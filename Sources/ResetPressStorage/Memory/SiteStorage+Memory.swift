import Foundation
import ResetPressEngine

extension SiteStorage {
    /// Storage held in this process's memory, gone when it ends: for tests, examples and hosts
    /// that keep nothing. One node (in-process job lock, no settings feed); the user table is a
    /// ``MemoryUserStore``, and a password change sets its hash in the same step as the code and mail.
    public static func memory() -> SiteStorage {
        let events = MemoryEventStore()
        let audit = MemoryAuditStore()
        let outbox = MemoryMailOutbox(events: events, audit: audit)
        let users = MemoryUserStore()
        let webhooks = MemoryWebhookQueue(audit: audit)
        return SiteStorage(
            backend: "memory", location: "memory", settings: MemorySettingsStore(audit: audit), users: users,
            resetCodes: MemoryResetCodeStore(outbox: outbox, webhooks: webhooks, users: users, events: events), outbox: outbox,
            authCodes: MemoryAuthCodeStore(audit: audit), jobStates: MemoryJobStateStore(), rateLimits: MemoryRateLimitStore(), jobLock: LocalJobLock(),
            adminSessions: MemoryAdminSessionStore(), webhooks: webhooks, settingsFeed: nil, events: events, apiTokens: MemoryAPITokenStore(audit: audit), audit: audit,
            appliedMigrations: { [] }, close: {})
    }
}
