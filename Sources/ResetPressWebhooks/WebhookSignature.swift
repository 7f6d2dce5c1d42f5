import Crypto
import Foundation
import ResetPressEngine
import ResetPressStorage

/// The `X-ResetPress-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
/// with one `v1` per signing secret while `secret rotate` keeps a previous key.
///
/// The key is the secret's UTF-8 bytes. `t` is the time of the try, so a receiver can refuse old
/// replays (five minutes is the usual tolerance); the body, and the delivery id in
/// `X-ResetPress-Delivery`, are the same on every try.
public enum WebhookSignature {
    /// The header's name.
    public static let header = "X-ResetPress-Signature"

    /// The HKDF `info` of the secret derived from the install secret.
    static let derivationInfo = "resetpress webhooks signing v1"

    /// The header value for `body` sent at `time` under `secret`.
    public static func header(body: String, secret: String, time: Date) -> String {
        header(body: body, secrets: [secret], time: time)
    }

    /// The header value for `body` sent at `time`, with a signature under each of `secrets`: a
    /// receiver that knows any of them verifies it.
    public static func header(body: String, secrets: [String], time: Date) -> String {
        let seconds = Int64(time.timeIntervalSince1970.rounded(.down))
        return "t=\(seconds)" + secrets.map { ",v1=" + hex(body: body, secret: $0, seconds: seconds) }.joined()
    }

    /// Whether `header` is a valid signature of `body` under `secret`, made at most `tolerance`
    /// seconds away from `now`. The comparison is in constant time.
    public static func verify(header: String, body: String, secret: String, now: Date, tolerance: TimeInterval = 300) -> Bool {
        var seconds: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { seconds = Int64(pair[1]) } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let seconds, abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else { return false }
        let expected = Data(hex(body: body, secret: secret, seconds: seconds).utf8)
        return signatures.contains { candidate in
            let given = Data(candidate.utf8)
            guard given.count == expected.count else { return false }
            return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }

    /// The signing secret in force: `webhooks.secret` when set, else the one derived from `installSecret`.
    public static func secret(settings: SettingsSnapshot, installSecret: InstallSecret) -> String {
        let configured = settings[WebhookSettings.secret]
        return configured.isEmpty ? derivedSecret(installSecret) : configured
    }

    /// The secrets deliveries are signed with: `webhooks.secret` when set, else the one derived
    /// from each install key, current first, so a receiver keeps verifying across `secret rotate`
    /// until `secret retire`.
    public static func secrets(settings: SettingsSnapshot, installSecret: InstallSecret) -> [String] {
        let configured = settings[WebhookSettings.secret]
        return configured.isEmpty ? installSecret.derivedKeys(info: derivationInfo).map(whsec) : [configured]
    }

    /// The per-site secret derived from the install secret (HKDF-SHA256): `whsec_` and 64 hex digits.
    /// It stays the same while `var/secret.key` does; `resetpress webhooks secret` prints it.
    public static func derivedSecret(_ installSecret: InstallSecret) -> String {
        whsec(installSecret.derivedKey(info: derivationInfo))
    }

    private static func whsec(_ key: Data) -> String {
        "whsec_" + key.map { String(format: "%02x", $0) }.joined()
    }

    private static func hex(body: String, secret: String, seconds: Int64) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(seconds).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}
