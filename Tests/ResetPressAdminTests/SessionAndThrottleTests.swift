import Foundation
import ResetPressAdmin
import Synchronization
import Testing

@Suite struct SessionAndThrottleTests {
    final class Clock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
        var date: Date { now.withLock { $0 } }
    }

    @Test func throttleAllowsFiveFailuresPerWindowAndForgetsOnSuccess() {
        let throttle = SignInThrottle()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for second in 0..<5 {
            #expect(throttle.retryAfter("10.0.0.1", now: start) == nil)
            throttle.recordFailure("10.0.0.1", now: start.addingTimeInterval(Double(second)))
        }
        #expect(throttle.retryAfter("10.0.0.1", now: start.addingTimeInterval(10)) == 890)
        #expect(throttle.retryAfter("10.0.0.2", now: start.addingTimeInterval(10)) == nil)
        #expect(throttle.retryAfter("10.0.0.1", now: start.addingTimeInterval(901)) == nil)
        throttle.recordFailure("10.0.0.2", now: start)
        throttle.reset("10.0.0.2")
        for _ in 0..<4 { throttle.recordFailure("10.0.0.2", now: start) }
        #expect(throttle.retryAfter("10.0.0.2", now: start) == nil)
    }

    @Test func sessionsExpireWhenIdleAndAnonymousOnesAfterHalfAnHour() {
        let clock = Clock()
        let store = AdminSessionStore(clock: { clock.date })
        let anonymous = store.startAnonymous()
        let signedIn = store.signIn(replacing: anonymous.id, passwordHash: "hash")
        #expect(store.session(id: anonymous.id, idleTimeout: 600, passwordHash: "hash") == nil)
        #expect(signedIn.isSignedIn && signedIn.csrfToken != anonymous.csrfToken)
        clock.advance(500)
        #expect(store.session(id: signedIn.id, idleTimeout: 600, passwordHash: "hash") != nil)
        clock.advance(500)
        #expect(store.session(id: signedIn.id, idleTimeout: 600, passwordHash: "hash") != nil)
        #expect(store.session(id: signedIn.id, idleTimeout: 600, passwordHash: "other") == nil)

        let other = store.startAnonymous()
        clock.advance(AdminSessionStore.anonymousLifetime + 1)
        #expect(store.session(id: other.id, idleTimeout: 600, passwordHash: "hash") == nil)
    }

    @Test func aFullStoreDropsTheOldestAnonymousSessionFirst() {
        let clock = Clock()
        let store = AdminSessionStore(capacity: 3, clock: { clock.date })
        let admin = store.signIn(replacing: nil, passwordHash: "h")
        clock.advance(1)
        let first = store.startAnonymous()
        clock.advance(1)
        let second = store.startAnonymous()
        clock.advance(1)
        let third = store.startAnonymous()
        #expect(store.count == 3)
        #expect(store.session(id: first.id, idleTimeout: 600, passwordHash: "h") == nil)
        #expect(store.session(id: admin.id, idleTimeout: 600, passwordHash: "h") != nil)
        #expect(store.session(id: second.id, idleTimeout: 600, passwordHash: "h") != nil)
        #expect(store.session(id: third.id, idleTimeout: 600, passwordHash: "h") != nil)
    }
}
