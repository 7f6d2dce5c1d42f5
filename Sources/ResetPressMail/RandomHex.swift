/// Random lowercase hex strings from the system's cryptographically secure generator.
enum RandomHex {
    private static let digits = Array("0123456789abcdef")

    /// `byteCount` random bytes as `2 * byteCount` hex digits.
    static func make(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var result = ""
        result.reserveCapacity(byteCount * 2)
        for _ in 0..<byteCount {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            result.append(digits[Int(byte >> 4)])
            result.append(digits[Int(byte & 0x0F)])
        }
        return result
    }
}
