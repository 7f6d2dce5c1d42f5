import Foundation
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// The `APITokenStore` contract, checked against every backend (issue 22).
@Suite struct APITokenStoreConformanceTests {
    @Test(arguments: Backend.allCases)
    func aTokenIsFoundByItsHashWhileActiveAndStampedWhenUsed(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let tokens = stores.apiTokens
            let ci = try await tokens.add(name: "ci", scopes: ["read", "settings"], hash: Data(repeating: 1, count: 32), expiresAt: nil, now: testTime())
            let short = try await tokens.add(name: "short", scopes: ["read"], hash: Data(repeating: 2, count: 32), expiresAt: testTime(60), now: testTime())
            #expect(ci.id != short.id)

            let used = try #require(try await tokens.use(hash: Data(repeating: 1, count: 32), now: testTime(10)))
            #expect(used.name == "ci" && used.scopes == ["read", "settings"] && used.lastUsedAt == testTime(10) && used.revokedAt == nil)
            #expect(try await tokens.use(hash: Data(repeating: 9, count: 32), now: testTime(10)) == nil, "an unknown hash")
            #expect(try await tokens.use(hash: Data(repeating: 2, count: 32), now: testTime(60)) == nil, "expired at its expiry")

            #expect(try await tokens.revoke(id: ci.id, now: testTime(20)))
            #expect(try await tokens.revoke(id: ci.id, now: testTime(21)) == false, "already revoked")
            #expect(try await tokens.use(hash: Data(repeating: 1, count: 32), now: testTime(30)) == nil, "revoked")

            let listed = try await tokens.list()
            #expect(listed.map(\.name) == ["short", "ci"])
            #expect(listed.last?.revokedAt == testTime(20) && listed.last?.lastUsedAt == testTime(10))
            #expect(listed.first?.lastUsedAt == nil, "a refused use stamps nothing")
        }
    }
}
