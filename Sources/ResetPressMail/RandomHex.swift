/// Random lowercase hex strings from the system's cryptographically secure generator.
enum RandomHex {
    /// `byteCount` random bytes as `2 * byteCount` hex digits.
    static func make(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String(unsafeUninitializedCapacity: byteCount * 2) { output in
            var random: UInt64 = 0
            for index in 0..<byteCount {
                if index % 8 == 0 { random = generator.next() }
                let byte = UInt8(truncatingIfNeeded: random >> (UInt64(index % 8) * 8))
                output[2 * index] = digit(byte >> 4)
                output[2 * index + 1] = digit(byte & 0x0F)
            }
            return byteCount * 2
        }
    }

    /// The lowercase hex digit of a value below 16.
    private static func digit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x57 + value
    }
}
