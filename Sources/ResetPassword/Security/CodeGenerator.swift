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

    /// A link or cancel token that names its user: the user's id, a dot, then ``linkToken()``. The
    /// store finds the code by the user, and the token's hash must still match the stored one.
    public static func linkToken(naming userID: Int64) -> String {
        "\(userID).\(linkToken())"
    }

    /// The user a token names; nil for a token that names none (one issued before tokens named
    /// their user, found by its hash alone) or whose part before the dot is not a number.
    public static func userID(namedBy token: String) -> Int64? {
        guard let dot = token.utf8.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        return Int64(token[..<dot])
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
