import Foundation
@testable import ResetPressPostgres
@testable import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// The `EventStore` contract on every backend, and the owner's figures computed from known events.
@Suite struct EventStoreConformanceTests {
    /// Runs `body` with the event store and outbox of a fresh database of `backend`.
    func withEvents(_ backend: Backend, _ body: (any EventStore, any MailOutbox) async throws -> Void) async throws {
        switch backend {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-events-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let database = try SQLiteDatabase(dataDirectory: folder)
            try await body(database.events, database.outbox)
        case .postgres:
            try await withPostgres { nodes in try await body(nodes[0].events, nodes[0].outbox) }
        case .memory:
            let storage = SiteStorage.memory()
            try await body(storage.events, storage.outbox)
        }
    }

    @Test(arguments: Backend.allCases)
    func countsAreByKindInAHalfOpenWindow(_ backend: Backend) async throws {
        try await withEvents(backend) { events, _ in
            try await events.record(ResetEvent(.request, at: testTime(-1)))
            try await events.record(ResetEvent(.request, at: testTime(0), clientIP: "192.0.2.1"))
            try await events.record(ResetEvent(.request, at: testTime(10)))
            try await events.record(ResetEvent(.codeIssued, at: testTime(10)))
            try await events.record(ResetEvent(.completed, at: testTime(100)))
            #expect(try await events.counts(from: testTime(0), to: testTime(100)) == [.request: 2, .codeIssued: 1])
            #expect(try await events.counts(from: testTime(200), to: testTime(300)) == [:])
        }
    }

    @Test(arguments: Backend.allCases)
    func deliveryTimesAreThoseOfSentMailInOrder(_ backend: Backend) async throws {
        try await withEvents(backend) { events, _ in
            for (offset, seconds) in [(1.0, 3.5), (2, 0.25), (3, 1.0)] {
                try await events.record(ResetEvent(.mailSent, at: testTime(offset), deliverySeconds: seconds))
            }
            try await events.record(ResetEvent(.mailFailed, at: testTime(4)))
            try await events.record(ResetEvent(.mailSent, at: testTime(500), deliverySeconds: 9))
            #expect(try await events.deliveryTimes(from: testTime(0), to: testTime(100)) == [0.25, 1.0, 3.5])
        }
    }

    @Test(arguments: Backend.allCases)
    func topRefusedIPsCountRateLimitsAndThrottlesOnly(_ backend: Backend) async throws {
        try await withEvents(backend) { events, _ in
            for _ in 0..<3 { try await events.record(ResetEvent(.rateLimited, at: testTime(1), clientIP: "198.51.100.7")) }
            try await events.record(ResetEvent(.throttled, at: testTime(2), clientIP: "198.51.100.7"))
            try await events.record(ResetEvent(.throttled, at: testTime(2), clientIP: "203.0.113.9"))
            try await events.record(ResetEvent(.rateLimited, at: testTime(2), clientIP: "192.0.2.5"))
            try await events.record(ResetEvent(.wrongCode, at: testTime(3), clientIP: "192.0.2.99"))
            try await events.record(ResetEvent(.wrongCode, at: testTime(3), clientIP: "192.0.2.99"))
            let top = try await events.topRefusedIPs(from: testTime(0), to: testTime(10), limit: 2)
            #expect(top.map(\.ip) == ["198.51.100.7", "192.0.2.5"])
            #expect(top.map(\.count) == [4, 1])
        }
    }

    /// The flow records a request with its outcome in one call; every read sees the two events.
    @Test(arguments: Backend.allCases)
    func aRequestRecordedWithItsOutcomeReadsAsTwoEvents(_ backend: Backend) async throws {
        try await withEvents(backend) { events, _ in
            let ip = "198.51.100.7"
            try await events.record([ResetEvent(.request, at: testTime(1), clientIP: ip, userID: 7), ResetEvent(.codeIssued, at: testTime(1), clientIP: ip, userID: 7)])
            try await events.record([ResetEvent(.request, at: testTime(2), clientIP: ip, userID: 7), ResetEvent(.throttled, at: testTime(2), clientIP: ip, userID: 7)])
            try await events.record([ResetEvent(.request, at: testTime(3), clientIP: ip), ResetEvent(.unknownEmail, at: testTime(3), clientIP: ip)])
            // Not a pair: the outcome names another user.
            try await events.record([ResetEvent(.request, at: testTime(4), clientIP: ip), ResetEvent(.vetoed, at: testTime(4), clientIP: ip, userID: 7)])
            #expect(try await events.counts(from: testTime(0), to: testTime(10)) == [.request: 4, .codeIssued: 1, .throttled: 1, .unknownEmail: 1, .vetoed: 1])
            #expect(try await events.topRefusedIPs(from: testTime(0), to: testTime(10), limit: 5).map(\.count) == [1])
            let timeline = try await events.events(userID: 7, limit: 10)
            #expect(timeline.map(\.kind) == [.vetoed, .throttled, .request, .codeIssued, .request])
            #expect(timeline.allSatisfy { $0.clientIP == ip && $0.userID == 7 })
            #expect(try await events.events(userID: 7, limit: 2).map(\.kind) == [.vetoed, .throttled])
            #expect(try await events.deleteOlder(than: testTime(3)) == 4)
            #expect(try await events.counts(from: testTime(0), to: testTime(10)) == [.request: 2, .unknownEmail: 1, .vetoed: 1])
        }
    }

    @Test(arguments: Backend.allCases)
    func deleteOlderForgetsOnlyOldEvents(_ backend: Backend) async throws {
        try await withEvents(backend) { events, _ in
            try await events.record(ResetEvent(.request, at: testTime(0)))
            try await events.record(ResetEvent(.request, at: testTime(5)))
            #expect(try await events.deleteOlder(than: testTime(5)) == 1)
            #expect(try await events.deleteOlder(than: testTime(5)) == 0)
            #expect(try await events.counts(from: testTime(-10), to: testTime(10)) == [.request: 1])
        }
    }

    @Test(arguments: Backend.allCases)
    func statsFromKnownEvents(_ backend: Backend) async throws {
        try await withEvents(backend) { events, outbox in
            for offset in 0..<4 { try await events.record(ResetEvent(.request, at: testTime(Double(offset) * 3600))) }
            for offset in 0..<4 { try await events.record(ResetEvent(.codeIssued, at: testTime(Double(offset) * 3600))) }
            for offset in 0..<3 { try await events.record(ResetEvent(.completed, at: testTime(Double(offset) * 3600 + 60))) }
            for (index, seconds) in [0.5, 1.5, 2.5, 10.0].enumerated() {
                try await events.record(ResetEvent(.mailSent, at: testTime(Double(index)), deliverySeconds: seconds))
            }
            try await events.record(ResetEvent(.rateLimited, at: testTime(7200), clientIP: "192.0.2.1"))
            _ = try await outbox.enqueue(try testMail(), now: testTime())
            let stats = try await ResetStats.read(events: events, outbox: outbox, from: testTime(0), to: testTime(86_400))
            #expect(stats.count(.request) == 4 && stats.count(.completed) == 3 && stats.count(.burned) == 0)
            #expect(stats.completionRate == 0.75)
            #expect(stats.deliveryMedianSeconds == 2.0)
            #expect(stats.deliveryP95Seconds == 10.0)
            #expect(stats.queue == ["queued": 1, "sending": 0, "sent": 0, "failed": 0])
            #expect(stats.topRefusedIPs == [ResetStats.RefusedIP(ip: "192.0.2.1", count: 1)])
            #expect(stats.timeline.count == 24)
            #expect(stats.timeline.prefix(5).map(\.requests) == [1, 1, 1, 1, 0])
            #expect(stats.timeline[2].refused == 1)
            #expect(stats.timeline.map(\.completed).reduce(0, +) == 3)
        }
    }
}
