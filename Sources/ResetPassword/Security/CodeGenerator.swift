/// Makes reset codes and link tokens from the system CSPRNG.
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

    private static func random(length: Int, alphabet: [UInt8]) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        for _ in 0..<length {
            bytes.append(alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
