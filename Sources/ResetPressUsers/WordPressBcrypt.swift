import Crypto
import Foundation
import HummingbirdBcrypt

/// The bcrypt side of password hashing: WordPress 6.8's `$wp` scheme and plain bcrypt.
///
/// WordPress 6.8 (`wp_hash_password`) stores
/// `"$wp" + bcrypt(base64(HMAC-SHA384(key: "wp-sha384", message: password)))`: the pre-hash keeps every
/// byte of a long password (plain bcrypt ignores everything past 72 bytes) and is 64 ASCII characters.
/// Unlike `wp_hash_password`, the password is not trimmed before hashing, which matches
/// `wp_check_password` (it does not trim either), so such a hash verifies in WordPress with the exact password.
/// The bundled bcrypt only understands `$2a$`/`$2b$`; `$2y$` is the same algorithm under PHP's name,
/// so it is rewritten to `$2b$` before verifying and `$2b$` output is written as `$2y$`.
enum WordPressBcrypt {
    /// The prefix WordPress puts in front of a bcrypt string.
    static let prefix = "$wp"

    /// `base64(HMAC-SHA384(key: "wp-sha384", message: password))`.
    static func prehash(_ password: String) -> String {
        let key = SymmetricKey(data: Data("wp-sha384".utf8))
        let code = HMAC<SHA384>.authenticationCode(for: Data(password.utf8), using: key)
        return Data(code).base64EncodedString()
    }

    /// A new `$wp$2y$` hash of `password` with `cost` (4...31, checked by the caller). Blocks for the whole bcrypt run.
    static func hash(_ password: String, cost: Int) -> String {
        let bcrypt = Bcrypt.hash(prehash(password), cost: UInt8(cost))
        return prefix + withVariant(UInt8(ascii: "y"), bcrypt)
    }

    /// Whether `password` matches a `$wp$2y$`/`$wp$2b$` hash. Blocks for the whole bcrypt run.
    static func verify(_ password: String, against hash: String) -> Bool {
        guard hash.hasPrefix(prefix) else { return false }
        return verifyPlain(prehash(password), against: String(hash.dropFirst(prefix.utf8.count)))
    }

    /// Whether the raw `password` matches a plain `$2a$`/`$2b$`/`$2y$` hash, as bcrypt would decide
    /// (bytes past 72 are ignored). Blocks for the whole bcrypt run.
    static func verifyPlain(_ password: String, against hash: String) -> Bool {
        Bcrypt.verify(password, hash: withVariant(UInt8(ascii: "b"), hash, ifCurrently: UInt8(ascii: "y")))
    }

    /// `hash` with its variant letter (`$2?$`) set to `variant`, when it is currently `from` (any when `nil`).
    private static func withVariant(_ variant: UInt8, _ hash: String, ifCurrently from: UInt8? = nil) -> String {
        var bytes = Array(hash.utf8)
        guard bytes.count > 3, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
              from.map({ bytes[2] == $0 }) ?? true
        else { return hash }
        bytes[2] = variant
        return String(decoding: bytes, as: UTF8.self)
    }
}
