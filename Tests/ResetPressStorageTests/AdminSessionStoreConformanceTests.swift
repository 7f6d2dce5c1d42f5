import Foundation
import PostgresNIO
@testable import ResetPressPostgres
@testable import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// The `AdminSessionStore` contract, checked against the SQLite, the PostgreSQL and the memory store.
@Suite struct AdminSessionStoreConformanceTests {
    static let idle: TimeInterval = 600

    /// Runs `body` with the session store of a fresh database of `backend` and a probe telling
    /// whether some bytes are stored anywhere in its sessions (the SQLite file, the PostgreSQL rows, the memory entries).
    func withSessions(
        _ backend: Backend, _ body: (any AdminSessionStore, _ holds: @escaping (Data) async throws -> Bool) async throws -> Void
    ) async throws {
        switch backend {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-sessions-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let database = try SQLiteDatabase(dataDirectory: folder)
            try await body(database.adminSessions) { bytes in
                let file = folder.appendingPathComponent(SQLiteDatabase.fileName).path
                let stored = [file, file + "-wal"].compactMap { FileManager.default.contents(atPath: $0) }
                return stored.contains { $0.range(of: bytes) != nil }
            }
        case .postgres:
            try await withPostgres { nodes in
                let client = nodes[0].client
                try await body(nodes[0].adminSessions) { bytes in
                    let rows = try await client.rows("SELECT id_hash, csrf_token, password_fingerprint, notices::text FROM admin_sessions")
                    let stored = try rows.map { row -> Data in
                        let (hash, csrf, fingerprint, notices) = try row.decode((Data, String, Data?, String).self)
                        return hash + Data(csrf.utf8) + (fingerprint ?? Data()) + Data(notices.utf8)
                    }
                    return stored.contains { $0.range(of: bytes) != nil }
                }
            }
        case .memory:
            let store = MemoryAdminSessionStore()
            try await body(store) { bytes in
                let stored = await store.entries.values.map { entry in
                    let notices = entry.notices.map { Data(($0.kind + $0.text).utf8) }.reduce(Data(), +)
                    return entry.record.idHash + Data(entry.record.csrfToken.utf8) + (entry.record.passwordFingerprint ?? Data()) + notices
                }
                return stored.contains { $0.range(of: bytes) != nil }
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func anonymousSessionsLiveHalfAnHourAndSignedInOnesEndWhenIdleOrAfterTwelveHours(_ backend: Backend) async throws {
        try await withSessions(backend) { store, _ in
            let anonymous = try await store.startAnonymous(now: testTime())
            #expect(anonymous.isSignedIn == false && anonymous.id.count == 64 && anonymous.csrfToken != anonymous.id)
            #expect(try await store.session(id: anonymous.id, idleTimeout: Self.idle, passwordHash: "h", now: testTime(1799)) == anonymous)
            #expect(try await store.session(id: anonymous.id, idleTimeout: Self.idle, passwordHash: "h", now: testTime(1800)) == nil)

            // Each request moves the idle deadline; a pause of the idle timeout ends the session.
            let admin = try await store.signIn(replacing: nil, passwordHash: "h", now: testTime())
            for minute in stride(from: 9, through: 90, by: 9) {
                #expect(try await store.session(id: admin.id, idleTimeout: Self.idle, passwordHash: "h", now: testTime(Double(minute * 60))) == admin)
            }
            #expect(try await store.session(id: admin.id, idleTimeout: Self.idle, passwordHash: "h", now: testTime(90 * 60 + 600)) == nil)
            #expect(try await store.count() == 0, "a session found dead is deleted")

            // However active, a signed-in session ends 12 hours after sign-in.
            let busy = try await store.signIn(replacing: nil, passwordHash: "h", now: testTime())
            for hour in 1..<12 {
                #expect(try await store.session(id: busy.id, idleTimeout: 3 * 3600, passwordHash: "h", now: testTime(Double(hour * 3600))) != nil)
            }
            #expect(try await store.session(id: busy.id, idleTimeout: 3 * 3600, passwordHash: "h", now: testTime(12 * 3600)) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func aNewAdminPasswordEndsSignedInSessionsButNotTheSignInForm(_ backend: Backend) async throws {
        try await withSessions(backend) { store, _ in
            let form = try await store.startAnonymous(now: testTime())
            let admin = try await store.signIn(replacing: nil, passwordHash: "old-hash", now: testTime())
            #expect(try await store.session(id: admin.id, idleTimeout: Self.idle, passwordHash: "new-hash", now: testTime(1)) == nil)
            #expect(try await store.session(id: admin.id, idleTimeout: Self.idle, passwordHash: "old-hash", now: testTime(2)) == nil)
            #expect(try await store.session(id: form.id, idleTimeout: Self.idle, passwordHash: "new-hash", now: testTime(3)) == form)
        }
    }

    @Test(arguments: Backend.allCases)
    func signInReplacesTheIdAndTheToken(_ backend: Backend) async throws {
        try await withSessions(backend) { store, _ in
            let form = try await store.startAnonymous(now: testTime())
            let admin = try await store.signIn(replacing: form.id, passwordHash: "h", now: testTime(5))
            #expect(admin.isSignedIn && admin.id != form.id && admin.csrfToken != form.csrfToken)
            #expect(try await store.session(id: form.id, idleTimeout: Self.idle, passwordHash: "h", now: testTime(6)) == nil)
            #expect(try await store.session(id: admin.id, idleTimeout: Self.idle, passwordHash: "h", now: testTime(6)) == admin)
            #expect(try await store.count() == 1)
            try await store.end(id: admin.id)
            try await store.end(id: admin.id)
            #expect(try await store.session(id: admin.id, idleTimeout: Self.idle, passwordHash: "h", now: testTime(7)) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func noticesAreShownOnceInOrder(_ backend: Backend) async throws {
        try await withSessions(backend) { store, _ in
            let admin = try await store.signIn(replacing: nil, passwordHash: "h", now: testTime())
            let saved = AdminNotice(kind: "success", text: "Saved \"ünïcode\" <b>&</b>")
            let failed = AdminNotice(kind: "error", text: "Two")
            try await store.addNotice(saved, to: admin.id)
            try await store.addNotice(failed, to: admin.id)
            try await store.addNotice(saved, to: String(repeating: "0", count: 64))
            #expect(try await store.takeNotices(id: admin.id) == [saved, failed])
            #expect(try await store.takeNotices(id: admin.id) == [])
            #expect(try await store.takeNotices(id: String(repeating: "0", count: 64)) == [])
            try await store.addNotice(failed, to: admin.id)
            #expect(try await store.takeNotices(id: admin.id) == [failed])
        }
    }

    @Test(arguments: Backend.allCases)
    func aFullStoreDropsExpiredThenOldestAnonymousThenOldestSessions(_ backend: Backend) async throws {
        try await withSessions(backend) { store, _ in
            let live = { (session: AdminSession, at: Double) async throws -> Bool in
                try await store.session(id: session.id, idleTimeout: 3 * 3600, passwordHash: "h", now: testTime(at)) != nil
            }
            let allLive = { (sessions: [AdminSession], at: Double) async throws -> Bool in
                for session in sessions where try await !live(session, at) { return false }
                return true
            }
            let stale = try await store.startAnonymous(now: testTime(), capacity: 3)
            let admin = try await store.signIn(replacing: nil, passwordHash: "h", now: testTime(1000), capacity: 3)
            let first = try await store.startAnonymous(now: testTime(1001), capacity: 3)
            // Full: the expired form (over 30 minutes old) goes, not a live one.
            let second = try await store.startAnonymous(now: testTime(1900), capacity: 3)
            #expect(try await store.count() == 3)
            #expect(try await allLive([first, second, admin], 1901))
            #expect(try await live(stale, 1901) == false)
            // Full of live sessions: the least recently seen anonymous one goes (`first` was seen at 1901 too, after `second`).
            #expect(try await live(second, 1902))
            let third = try await store.startAnonymous(now: testTime(1903), capacity: 3)
            #expect(try await live(first, 1904) == false)
            #expect(try await allLive([second, third, admin], 1904))
            // Only signed-in sessions: the least recently seen one goes.
            let admin2 = try await store.signIn(replacing: second.id, passwordHash: "h", now: testTime(1905), capacity: 3)
            let admin3 = try await store.signIn(replacing: third.id, passwordHash: "h", now: testTime(1906), capacity: 3)
            #expect(try await live(admin2, 1907))
            let admin4 = try await store.signIn(replacing: nil, passwordHash: "h", now: testTime(1908), capacity: 3)
            #expect(try await store.count() == 3)
            #expect(try await live(admin, 1909) == false)
            #expect(try await allLive([admin2, admin3, admin4], 1909))
        }
    }

    @Test(arguments: Backend.allCases)
    func onlyTheHashOfTheIdIsStored(_ backend: Backend) async throws {
        try await withSessions(backend) { store, holds in
            let form = try await store.startAnonymous(now: testTime())
            let admin = try await store.signIn(replacing: nil, passwordHash: "h", now: testTime())
            for session in [form, admin] {
                #expect(try await holds(AdminSessionPolicy.idHash(session.id)))
                #expect(try await holds(Data(session.id.utf8)) == false)
                #expect(try await holds(Data(session.id.prefix(32).utf8)) == false)
            }
            #expect(try await holds(Data(admin.csrfToken.utf8)), "the probe finds what is stored")
        }
    }

    @Test(arguments: Backend.allCases)
    func theSweepDeletesOnlyExpiredSessions(_ backend: Backend) async throws {
        try await withSessions(backend) { store, _ in
            _ = try await store.startAnonymous(now: testTime())
            _ = try await store.signIn(replacing: nil, passwordHash: "h", now: testTime())
            let form = try await store.startAnonymous(now: testTime(1500))
            let admin = try await store.signIn(replacing: nil, passwordHash: "h", now: testTime(1500))
            #expect(try await store.deleteExpired(idleTimeout: Self.idle, now: testTime(1800)) == 2)
            #expect(try await store.count() == 2)
            #expect(try await store.deleteExpired(idleTimeout: Self.idle, now: testTime(1800)) == 0)
            #expect(try await store.session(id: form.id, idleTimeout: Self.idle, passwordHash: "h", now: testTime(1801)) == form)
            #expect(try await store.session(id: admin.id, idleTimeout: Self.idle, passwordHash: "h", now: testTime(1801)) == admin)
        }
    }
}
