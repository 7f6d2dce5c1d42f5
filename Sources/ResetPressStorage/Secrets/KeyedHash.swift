import Crypto
import Foundation

/// HMAC-SHA256 (RFC 2104) under one key, with the padded key's inner and outer blocks hashed once.
///
/// `HMAC<SHA256>` hashes both 64-byte key blocks again for every code, token and auth code it checks; here
/// each value costs only its own bytes and the outer digest. The result is the same as
/// `HMAC<SHA256>.authenticationCode(for:using:)` under the same key.
struct KeyedHash: @unchecked Sendable {
    /// SHA-256 after `key ⊕ ipad`; copied (copy on write) for each value, never updated in place.
    private let inner: SHA256
    /// SHA-256 after `key ⊕ opad`.
    private let outer: SHA256

    init(key: SymmetricKey) {
        var block = [UInt8](repeating: 0, count: SHA256.blockByteCount)
        key.withUnsafeBytes { bytes in
            if bytes.count > block.count {
                block.replaceSubrange(0..<SHA256.byteCount, with: Array(SHA256.hash(data: bytes)))
            } else {
                block.replaceSubrange(0..<bytes.count, with: bytes)
            }
        }
        var inner = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        var outer = SHA256()
        outer.update(data: block.map { $0 ^ 0x5C })
        self.inner = inner
        self.outer = outer
    }

    /// The HMAC of `value`'s UTF-8 bytes.
    func code(for value: String) -> Data {
        var value = value
        return value.withUTF8 { code(for: UnsafeRawBufferPointer($0)) }
    }

    /// The HMAC of `bytes`.
    func code(for bytes: UnsafeRawBufferPointer) -> Data {
        var innerHash = inner
        innerHash.update(bufferPointer: bytes)
        var outerHash = outer
        innerHash.finalize().withUnsafeBytes { outerHash.update(bufferPointer: $0) }
        return outerHash.finalize().withUnsafeBytes { Data($0) }
    }
}
