import Foundation
import ResetPressStorage
import ResetPressStoreTestSupport
import Testing

/// The `InstallCheckStore` contract, checked against every backend (issue 22).
@Suite struct InstallCheckConformanceTests {
    static let first = InstallSecret(bytes: Data(repeating: 5, count: 32))
    static let other = InstallSecret(bytes: Data(repeating: 6, count: 32))

    @Test(arguments: Backend.allCases)
    func theFirstSecretIsRecordedAndAnotherIsRefused(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let checks = stores.installChecks
            let first = try await checks.admits(Self.first.checkValue, now: testTime())
            let again = try await checks.admits(Self.first.checkValue, now: testTime(1))
            let other = try await checks.admits(Self.other.checkValue, now: testTime(2))
            let afterRefusal = try await checks.admits(Self.first.checkValue, now: testTime(3))
            #expect(first && again)
            #expect(!other)
            #expect(afterRefusal, "a refusal records nothing")
        }
    }

    @Test(arguments: Backend.allCases)
    func aRotationIsRecordedAndARetireForgetsTheOldKey(_ backend: Backend) async throws {
        try await withStores(backend) { stores in
            let checks = stores.installChecks
            #expect(try await checks.admits(Self.first.checkValue, now: testTime()))
            try await checks.record(Self.other.checkValue, now: testTime(5))
            #expect(try await checks.recorded() == [
                InstallCheck(value: Self.first.checkValue, recordedAt: testTime()), InstallCheck(value: Self.other.checkValue, recordedAt: testTime(5)),
            ])
            try await checks.record(Self.other.checkValue, now: testTime(9))
            #expect(try await checks.recorded().last == InstallCheck(value: Self.other.checkValue, recordedAt: testTime(9)), "recorded again: the promotion's time")
            #expect(try await checks.recorded().count == 2)
            #expect(try await checks.admits(Self.other.checkValue, now: testTime(10)))
            #expect(try await checks.admits(Self.first.checkValue, now: testTime(10)))
            try await checks.keep(only: [Self.other.checkValue])
            #expect(try await checks.recorded() == [InstallCheck(value: Self.other.checkValue, recordedAt: testTime(9))])
            #expect(try await !checks.admits(Self.first.checkValue, now: testTime(11)), "a retired key is refused")
        }
    }

    @Test func theCheckValueNamesTheSecretWithoutRevealingIt() {
        let secret = InstallSecret(bytes: Data(repeating: 5, count: 32))
        #expect(secret.checkValue == InstallSecret(bytes: Data(repeating: 5, count: 32)).checkValue)
        #expect(secret.checkValue != Self.other.checkValue)
        #expect(secret.checkValue.count == 32)
        #expect(!secret.checkValue.contains(Data(repeating: 5, count: 8)))
    }
}
