/// The password hash formats ResetPress can verify, recognised from the hash string alone.
public enum PasswordHashFormat: Sendable, Equatable {
    /// WordPress 6.8+ bcrypt of an HMAC-SHA384 pre-hash: `$wp$2y$NN$…` or `$wp$2b$NN$…` (63 characters).
    /// This is what ``PasswordHasher`` writes.
    case wordPressBcrypt(cost: Int)
    /// Plain bcrypt of the raw password: `$2a$`, `$2b$` or `$2y$` (60 characters). Legacy: only the
    /// first 72 bytes of the password count.
    case bcrypt(cost: Int)
    /// phpass portable MD5 hash used by WordPress before 6.8 (`$P$`) and phpBB (`$H$`), 34 characters,
    /// with `2^iterationsLog2` MD5 rounds (7...30). Legacy.
    case phpass(iterationsLog2: Int)
    /// ``PasswordHasher/unusableHash``: no password is set and nothing verifies.
    case unusable

    /// Recognises the format of `hash`, or returns `nil` when it is none of the supported ones
    /// (including a truncated or otherwise malformed hash of a known kind).
    public init?(hash: String) {
        let bytes = Array(hash.utf8)
        if hash == PasswordHasher.unusableHash {
            self = .unusable
        } else if bytes.starts(with: Array("$wp".utf8)) {
            let rest = bytes.dropFirst(3)
            guard let (variant, cost) = Self.parseBcrypt(rest), variant != UInt8(ascii: "a") else { return nil }
            self = .wordPressBcrypt(cost: cost)
        } else if let (_, cost) = Self.parseBcrypt(bytes[...]) {
            self = .bcrypt(cost: cost)
        } else if let log2 = PHPass.iterationsLog2(of: bytes) {
            self = .phpass(iterationsLog2: log2)
        } else {
            return nil
        }
    }

    /// Whether this is a format kept only for verifying imported hashes (plain bcrypt, phpass).
    public var isLegacy: Bool {
        switch self {
        case .bcrypt, .phpass: return true
        case .wordPressBcrypt, .unusable: return false
        }
    }

    /// Whether `byte` is in the crypt base-64 alphabet `./0-9A-Za-z` that bcrypt and phpass share.
    static func isCryptBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
            return true
        default:
            return false
        }
    }

    /// Parses `$2x$NN$` + 53 alphabet characters; returns the variant letter and the cost (4...31).
    private static func parseBcrypt(_ bytes: ArraySlice<UInt8>) -> (variant: UInt8, cost: Int)? {
        let b = Array(bytes)
        guard b.count == 60, b[0] == UInt8(ascii: "$"), b[1] == UInt8(ascii: "2"),
              b[2] == UInt8(ascii: "a") || b[2] == UInt8(ascii: "b") || b[2] == UInt8(ascii: "y"),
              b[3] == UInt8(ascii: "$"), b[6] == UInt8(ascii: "$")
        else { return nil }
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard digits.contains(b[4]), digits.contains(b[5]) else { return nil }
        let cost = Int(b[4] - digits.lowerBound) * 10 + Int(b[5] - digits.lowerBound)
        guard PasswordHasher.allowedCosts.contains(cost),
              b[7...].allSatisfy(isCryptBase64)
        else { return nil }
        return (b[2], cost)
    }
}
