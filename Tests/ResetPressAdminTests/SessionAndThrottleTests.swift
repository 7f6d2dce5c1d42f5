import Foundation
import ResetPressAdmin
import ResetPressStorage
import Testing

@Suite struct SessionAndThrottleTests {
    /// A whole number of 15-minute windows since 1970, so a window starts here.
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func throttleAllowsFiveFailuresPerWindowAndForgetsOnSuccess() async throws {
        let throttle = SignInThrottle(store: MemoryRateLimitStore())
        for second in 0..<5 {
            #expect(try await throttle.retryAfter("10.0.0.1", now: Self.start) == nil)
            try await throttle.recordFailure("10.0.0.1", now: Self.start.addingTimeInterval(Double(second)))
        }
        #expect(try await throttle.retryAfter("10.0.0.1", now: Self.start.addingTimeInterval(10)) == 890)
        #expect(try await throttle.retryAfter("10.0.0.2", now: Self.start.addingTimeInterval(10)) == nil)
        #expect(try await throttle.retryAfter("10.0.0.1", now: Self.start.addingTimeInterval(900)) == nil, "a new window")
        try await throttle.recordFailure("10.0.0.2", now: Self.start)
        try await throttle.reset("10.0.0.2")
        for _ in 0..<4 { try await throttle.recordFailure("10.0.0.2", now: Self.start) }
        #expect(try await throttle.retryAfter("10.0.0.2", now: Self.start) == nil)
        try await throttle.recordFailure("10.0.0.2", now: Self.start)
        #expect(try await throttle.retryAfter("10.0.0.2", now: Self.start) == 900)
    }

    @Test func throttleCountsLiveInTheSharedStoreUnderTheirOwnKey() async throws {
        let store = MemoryRateLimitStore()
        let nodeA = SignInThrottle(store: store)
        let nodeB = SignInThrottle(store: store)
        for failure in 0..<5 { try await (failure % 2 == 0 ? nodeA : nodeB).recordFailure("192.0.2.7", now: Self.start) }
        #expect(try await nodeA.retryAfter("192.0.2.7", now: Self.start) == 900)
        #expect(try await nodeB.retryAfter("192.0.2.7", now: Self.start) == 900)
        #expect(try await store.count(key: "admin-sign-in:192.0.2.7", windowSeconds: 900, now: Self.start) == 5)
        #expect(try await store.count(key: "192.0.2.7", windowSeconds: 900, now: Self.start) == 0)
    }

    @Test func sessionsExpireWhenIdleAndAnonymousOnesAfterHalfAnHour() async throws {
        let site = try await AdminTestSite()
        let store = site.storage.adminSessions
        let anonymous = try await store.startAnonymous(now: Self.start)
        let signedIn = try await store.signIn(replacing: anonymous.id, passwordHash: "hash", now: Self.start)
        #expect(try await store.session(id: anonymous.id, idleTimeout: 600, passwordHash: "hash", now: Self.start) == nil)
        #expect(signedIn.isSignedIn && signedIn.csrfToken != anonymous.csrfToken)
        #expect(try await store.session(id: signedIn.id, idleTimeout: 600, passwordHash: "hash", now: Self.start.addingTimeInterval(500)) != nil)
        #expect(try await store.session(id: signedIn.id, idleTimeout: 600, passwordHash: "hash", now: Self.start.addingTimeInterval(1000)) != nil)
        #expect(try await store.session(id: signedIn.id, idleTimeout: 600, passwordHash: "other", now: Self.start.addingTimeInterval(1001)) == nil)

        let other = try await store.startAnonymous(now: Self.start)
        let later = Self.start.addingTimeInterval(AdminSessionPolicy.anonymousLifetime + 1)
        #expect(try await store.session(id: other.id, idleTimeout: 600, passwordHash: "hash", now: later) == nil)
    }

    @Test func aFullStoreDropsTheOldestAnonymousSessionFirst() async throws {
        let site = try await AdminTestSite()
        let store = site.storage.adminSessions
        let admin = try await store.signIn(replacing: nil, passwordHash: "h", now: Self.start, capacity: 3)
        let first = try await store.startAnonymous(now: Self.start.addingTimeInterval(1), capacity: 3)
        let second = try await store.startAnonymous(now: Self.start.addingTimeInterval(2), capacity: 3)
        let third = try await store.startAnonymous(now: Self.start.addingTimeInterval(3), capacity: 3)
        #expect(try await store.count() == 3)
        let now = Self.start.addingTimeInterval(4)
        #expect(try await store.session(id: first.id, idleTimeout: 600, passwordHash: "h", now: now) == nil)
        #expect(try await store.session(id: admin.id, idleTimeout: 600, passwordHash: "h", now: now) != nil)
        #expect(try await store.session(id: second.id, idleTimeout: 600, passwordHash: "h", now: now) != nil)
        #expect(try await store.session(id: third.id, idleTimeout: 600, passwordHash: "h", now: now) != nil)
    }

    @Test func theFlushJobDeletesSessionsIdleLongerThanTheSetting() async throws {
        let site = try await AdminTestSite()
        let store = site.storage.adminSessions
        let now = Date()
        // Idle beyond admin.session_minutes (60) but not past any fixed lifetime, so no insert swept it.
        _ = try await store.signIn(replacing: nil, passwordHash: "h", now: now.addingTimeInterval(-3601))
        let recent = try await store.signIn(replacing: nil, passwordHash: "h", now: now.addingTimeInterval(-3000))
        let form = try await store.startAnonymous(now: now.addingTimeInterval(-1700))
        #expect(try await site.engine.jobs.run("flush_admin_sessions") == "1 expired admin sessions deleted")
        #expect(try await store.count() == 2)
        #expect(try await store.session(id: recent.id, idleTimeout: 3600, passwordHash: "h", now: now) == recent)
        #expect(try await store.session(id: form.id, idleTimeout: 3600, passwordHash: "h", now: now) == form)
    }
}
