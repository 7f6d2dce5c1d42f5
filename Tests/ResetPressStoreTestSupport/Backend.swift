import Foundation
import PostgresNIO
import ResetPressEngine
import ResetPressMail
@testable import ResetPressPostgres
@testable import ResetPressStorage
import Testing

/// Where a conformance test runs: the SQLite stores, the PostgreSQL ones or the in-memory ones.
public enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres, memory

    /// The backends with a database, for tests that write or read rows in SQL.
    public static let sqlBackends: [Backend] = [.sqlite, .postgres]

    public var testDescription: String { rawValue }
}

/// Every store of one backend, seen only through the storage protocols.
public struct Stores: Sendable {
    public let settings: any SettingsStore
    public let users: any UserStore
    public let resetCodes: any ResetCodeStore
    public let outbox: any MailOutbox
    public let authCodes: any AuthCodeStore
    public let jobStates: any JobStateStore
    public let webhooks: any WebhookQueue
    public let events: any EventStore
    public let installChecks: any InstallCheckStore
    public let apiTokens: any APITokenStore
    public let audit: any AuditStore
    /// Runs one SQL statement on the database, to write rows only older versions wrote.
    public let execute: @Sendable (String) async throws -> Void
}

/// Runs `body` with the stores of a fresh database of `backend`: a temporary SQLite file, or a
/// new database on the test PostgreSQL server, or new memory stores (which run no SQL).
public func withStores(_ backend: Backend, _ body: (Stores) async throws -> Void) async throws {
    switch backend {
    case .sqlite:
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-pgconf-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try SQLiteDatabase(dataDirectory: folder)
        try await body(Stores(
            settings: database.settings, users: database.users, resetCodes: database.resetCodes, outbox: database.outbox,
            authCodes: database.authCodes, jobStates: database.jobStates, webhooks: database.webhooks, events: database.events,
            installChecks: database.installChecks, apiTokens: database.apiTokens, audit: database.audit, execute: { sql in try await database.pool.write { try $0.execute(sql: sql) } }))
    case .postgres:
        try await withPostgres { nodes in
            let database = nodes[0]
            try await body(Stores(
                settings: database.settings, users: database.users, resetCodes: database.resetCodes, outbox: database.outbox,
                authCodes: database.authCodes, jobStates: database.jobStates, webhooks: database.webhooks, events: database.events,
                installChecks: database.installChecks, apiTokens: database.apiTokens, audit: database.audit, execute: { sql in _ = try await database.client.rows(PostgresQuery(unsafeSQL: sql)) }))
        }
    case .memory:
        let storage = SiteStorage.memory()
        try await body(Stores(
            settings: storage.settings, users: storage.users, resetCodes: storage.resetCodes, outbox: storage.outbox,
            authCodes: storage.authCodes, jobStates: storage.jobStates, webhooks: storage.webhooks, events: storage.events,
            installChecks: storage.installChecks, apiTokens: storage.apiTokens, audit: storage.audit, execute: { sql in throw StorageError.notFound("SQL in memory stores (\(sql))") }))
    }
}

/// A whole-second time, so it survives the seconds columns exactly.
public func testTime(_ offset: TimeInterval = 0) -> Date {
    Date(timeIntervalSince1970: 1_700_000_000 + offset)
}

/// A message to queue, addressed to `to`.
public func testMail(kind: String = "reset_code", to: String = "ann@example.com", subject: String = "Your code") throws -> OutboxMail {
    let message = MailMessage(
        from: try MailAddress(email: "site@example.com", name: "Site"),
        to: [try MailAddress(email: to)],
        subject: subject,
        textBody: "Code: 123456",
        htmlBody: "<p>Code: <b>123456</b></p>")
    return OutboxMail(kind: kind, message: message, messageID: "<\(UUID().uuidString)@example.com>")
}

/// The owner of the claims made by `claimDue(limit:now:)`.
public let testOwner = "test-node"

extension MailOutbox {
    /// Claims for `testOwner` with a minute's lease, for tests about anything but leases.
    public func claimDue(limit: Int, now: Date) async throws -> [OutboxEntry] {
        try await claimDue(limit: limit, now: now, owner: testOwner, leaseUntil: now.addingTimeInterval(60))
    }
}
