import Foundation
import ResetPressPostgres
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// `RateLimitStore.count(key:windowSeconds:now:)`, `remove(key:)` and `retryAfter`, on the
/// memory store (single node) and the PostgreSQL one.
@Suite struct RateLimitCountConformanceTests {
    /// Runs `body` with the rate-limit store a backend's `SiteStorage` uses.
    func withRateLimits(_ backend: Backend, _ body: (any RateLimitStore) async throws -> Void) async throws {
        switch backend {
        case .sqlite, .memory: try await body(MemoryRateLimitStore())
        case .postgres: try await withPostgres { nodes in try await body(nodes[0].rateLimits) }
        }
    }

    @Test(arguments: Backend.allCases)
    func countReadsTheWindowWithoutAddingAHit(_ backend: Backend) async throws {
        try await withRateLimits(backend) { store in
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            #expect(try await store.count(key: "k", windowSeconds: 900, now: start) == 0)
            for _ in 0..<3 { _ = try await store.hit(key: "k", windowSeconds: 900, now: start) }
            #expect(try await store.count(key: "k", windowSeconds: 900, now: start.addingTimeInterval(899)) == 3)
            #expect(try await store.count(key: "k", windowSeconds: 900, now: start.addingTimeInterval(899)) == 3)
            #expect(try await store.count(key: "k", windowSeconds: 900, now: start.addingTimeInterval(900)) == 0)
            #expect(try await store.count(key: "k", windowSeconds: 60, now: start) == 0, "another window length is another counter")
            #expect(try await store.count(key: "other", windowSeconds: 900, now: start) == 0)
            #expect(try await store.retryAfter("k", limit: 3, windowSeconds: 900, now: start.addingTimeInterval(100)) == 800)
            #expect(try await store.retryAfter("k", limit: 4, windowSeconds: 900, now: start.addingTimeInterval(100)) == nil)
            #expect(try await store.retryAfter("k", limit: 0, windowSeconds: 900, now: start) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func removeForgetsEveryWindowOfOneKeyOnly(_ backend: Backend) async throws {
        try await withRateLimits(backend) { store in
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            _ = try await store.hit(key: "a", windowSeconds: 900, now: start)
            _ = try await store.hit(key: "a", windowSeconds: 60, now: start)
            _ = try await store.hit(key: "b", windowSeconds: 900, now: start)
            try await store.remove(key: "a")
            try await store.remove(key: "never-counted")
            #expect(try await store.count(key: "a", windowSeconds: 900, now: start) == 0)
            #expect(try await store.count(key: "a", windowSeconds: 60, now: start) == 0)
            #expect(try await store.count(key: "b", windowSeconds: 900, now: start) == 1)
            #expect(try await store.hit(key: "a", windowSeconds: 900, now: start) == 1)
        }
    }
}
