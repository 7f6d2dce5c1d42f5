import Foundation
import ResetPressEngine
import Testing

/// A settings write with an actor lands in the audit trail with its old and new values, a secret's never.
@Suite struct SettingsAuditTests {
    private func engine() async throws -> (SettingsEngine, MemoryAuditStore) {
        let audit = MemoryAuditStore()
        let settings = SettingsEngine(
            store: MemorySettingsStore(audit: audit), environment: [:], settingsDirectory: URL(fileURLWithPath: "/nonexistent"),
            root: URL(fileURLWithPath: "/nonexistent"), hooks: HookRegistry())
        settings.register(SettingKey("demo.mode", default: "one", kind: .string, description: "A mode."))
        settings.register(SettingKey("demo.api_key", default: "", kind: .secret, description: "A key."))
        try await settings.load()
        return (settings, audit)
    }

    @Test func eachChangeIsRecordedWithItsActorAndASecretOnlyAsChanged() async throws {
        let (settings, audit) = try await engine()
        let actor = AuditActor(name: "token:deploy", clientIP: "192.0.2.9")
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let secret = "key-0123456789abcdef-SECRET"
        try await settings.set(["demo.mode": .text("two"), "demo.api_key": .text(secret)], actor: actor, at: at)
        let records = try await audit.list(since: nil, limit: 10)
        #expect(Set(records.map(\.subject)) == ["demo.mode", "demo.api_key"])
        #expect(records.allSatisfy { $0.actor == "token:deploy" && $0.clientIP == "192.0.2.9" && $0.at == at && $0.action == "setting.changed" })
        #expect(records.first { $0.subject == "demo.mode" }?.detail == "one -> two")
        #expect(records.first { $0.subject == "demo.api_key" }?.detail == "(secret) changed")
        #expect(!records.contains { $0.detail.contains("SECRET") || $0.detail.contains("cdef") })
    }

    @Test func aWriteWithoutAnActorOrWithoutAChangeRecordsNothing() async throws {
        let (settings, audit) = try await engine()
        try await settings.set(["demo.mode": .text("two")])
        try await settings.set(["demo.mode": .text("two")], actor: AuditActor(name: "admin"), at: Date())
        #expect(try await audit.list(since: nil, limit: 10).isEmpty)
    }
}
