import Crypto

/// Makes reset codes and link tokens from a cryptographically secure generator.
public enum CodeGenerator {
    private static let alnum = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    private static let digits = Array("0123456789".utf8)
    private static let urlSafe = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".utf8)

    /// A code of `length` characters from `charset`, each drawn uniformly (no modulo bias).
    public static func code(length: Int, charset: CodeCharset) -> String {
        random(length: length, alphabet: charset == .digits ? digits : alnum)
    }

    /// A link token: 43 URL-safe characters (256 bits).
    public static func linkToken() -> String {
        random(length: 43, alphabet: urlSafe)
    }

    /// Maps CSPRNG bytes onto `alphabet` by rejection (a byte past the largest multiple of the
    /// alphabet's size is drawn again), so every character is uniform; bytes come in bulk, one
    /// system call per refill rather than one per character.
    private static func random(length: Int, alphabet: [UInt8]) -> String {
        let limit = 256 - 256 % alphabet.count
        var pool = RandomBytes()
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        while bytes.count < length {
            let byte = Int(pool.next())
            if byte < limit { bytes.append(alphabet[byte % alphabet.count]) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Bytes from swift-crypto's CSPRNG (BoringSSL on Linux, the system's on Apple platforms), 64 at a time.
private struct RandomBytes {
    private var buffer: [UInt8] = []
    private var index = 0

    mutating func next() -> UInt8 {
        if index == buffer.count {
            buffer = SymmetricKey(size: SymmetricKeySize(bitCount: 512)).withUnsafeBytes { Array($0) }
            index = 0
        }
        defer { index += 1 }
        return buffer[index]
    }
}
