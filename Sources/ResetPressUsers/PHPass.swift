import Crypto

/// phpass "portable" hashes (`$P$`, `$H$`): salted, iterated MD5, as WordPress used before 6.8.
enum PHPass {
    /// phpass's base-64 alphabet.
    static let itoa64 = Array("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// The iteration exponent of a well-formed phpass hash, or `nil` when `hash` is not one.
    static func iterationsLog2(of hash: [UInt8]) -> Int? {
        guard hash.count == 34, hash[0] == UInt8(ascii: "$"),
              hash[1] == UInt8(ascii: "P") || hash[1] == UInt8(ascii: "H"),
              hash[2] == UInt8(ascii: "$"),
              hash[3...].allSatisfy(PasswordHashFormat.isCryptBase64),
              let log2 = itoa64.firstIndex(of: hash[3]), (7...30).contains(log2)
        else { return nil }
        return log2
    }

    /// Whether `password` hashes to `hash`, compared in constant time; `false` for a malformed hash.
    static func verify(_ password: String, against hash: String) -> Bool {
        let stored = Array(hash.utf8)
        guard let log2 = iterationsLog2(of: stored) else { return false }
        let computed = Array(stored[0..<12]) + digest(password: Array(password.utf8), salt: stored[4..<12], log2: log2)
        return ConstantTime.equals(computed, stored)
    }

    /// `encode64(md5^n(salt + password))`: the 22 characters that follow the 12-character setting.
    static func digest(password: [UInt8], salt: ArraySlice<UInt8>, log2: Int) -> [UInt8] {
        var hash = Array(Insecure.MD5.hash(data: Array(salt) + password))
        var buffer = hash + password
        for _ in 0..<(1 << log2) {
            buffer.replaceSubrange(0..<16, with: hash)
            hash = Array(Insecure.MD5.hash(data: buffer))
        }
        return encode64(hash)
    }

    /// phpass's little-endian base-64 encoding (no padding).
    static func encode64(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity((input.count * 4 + 2) / 3)
        var index = 0
        while index < input.count {
            var value = UInt32(input[index])
            index += 1
            output.append(itoa64[Int(value & 0x3f)])
            if index < input.count { value |= UInt32(input[index]) << 8 }
            output.append(itoa64[Int((value >> 6) & 0x3f)])
            if index >= input.count { break }
            index += 1
            if index < input.count { value |= UInt32(input[index]) << 16 }
            output.append(itoa64[Int((value >> 12) & 0x3f)])
            if index >= input.count { break }
            index += 1
            output.append(itoa64[Int((value >> 18) & 0x3f)])
        }
        return output
    }
}
