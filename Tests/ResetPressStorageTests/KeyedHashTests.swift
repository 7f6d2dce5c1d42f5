import Crypto
import Foundation
import Testing
@testable import ResetPressStorage

@Suite struct KeyedHashTests {
    /// The precomputed blocks give swift-crypto's `HMAC<SHA256>` exactly: short, block-sized and long keys
    /// (a key longer than a block is hashed first), empty and multi-block values, any bytes.
    @Test(arguments: [0, 1, 16, 32, 63, 64, 65, 100, 200])
    func equalsHMACForEveryKeyLength(keyLength: Int) {
        var generator = SystemRandomNumberGenerator()
        let key = SymmetricKey(data: (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let keyed = KeyedHash(key: key)
        for valueLength in [0, 1, 6, 55, 56, 63, 64, 65, 127, 128, 1000] {
            let value = (0..<valueLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(HMAC<SHA256>.authenticationCode(for: value, using: key))
            #expect(value.withUnsafeBytes { keyed.code(for: $0) } == expected, "key \(keyLength) bytes, value \(valueLength) bytes")
        }
        let text = "0042-é-code"
        #expect(keyed.code(for: text) == Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)))
    }

    /// One `KeyedHash` used from many tasks at once gives every task the right code (the shared states are
    /// copied, never updated in place).
    @Test func concurrentUseGivesTheSameCodes() async {
        let keyBytes = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        let keyed = KeyedHash(key: SymmetricKey(data: keyBytes))
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    (0..<200).filter { index in
                        let value = "value-\(task)-\(index)"
                        let expected = HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: SymmetricKey(data: keyBytes))
                        return keyed.code(for: value) != Data(expected)
                    }.count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }
}
