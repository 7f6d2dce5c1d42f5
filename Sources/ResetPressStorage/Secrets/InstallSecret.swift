import Crypto
import Foundation

/// The per-install key under which codes, link tokens and auth codes are hashed, and outbox bodies sealed.
///
/// Kept in `<data-dir>/secret.key` with mode 0600; made from the system CSPRNG the first time. A
/// container platform may mount it elsewhere and name it in ``fileVariable``. Losing it invalidates
/// every stored code (nothing else); every node on one database must share it (``checkValue``).
public struct InstallSecret: Sendable {
    /// The file name under the data directory.
    public static let fileName = "secret.key"
    /// `RESETPRESS_SECRET_FILE`: a file that holds the secret instead of `<data-dir>/secret.key`
    /// (as container platforms mount secrets); it must exist, it is never created.
    public static let fileVariable = "RESETPRESS_SECRET_FILE"
    /// What ``checkValue`` authenticates: a fixed label, so the value says which secret, and nothing of it.
    static let checkLabel = "resetpress install secret check v1"

    /// Immutable after init; swift-crypto does not mark the type Sendable.
    private nonisolated(unsafe) let key: SymmetricKey
    /// The sealer of outbox bodies, derived once (every mailing request seals with it).
    private let sealer: MailSealer

    /// Uses `bytes` as the key (tests, and hosts that manage their own secret).
    public init(bytes: some ContiguousBytes) {
        key = SymmetricKey(data: bytes)
        sealer = MailSealer(key: HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data(MailSealer.keyInfo.utf8), outputByteCount: 32))
    }

    /// The file the secret comes from: the one ``fileVariable`` names in `environment`, else
    /// `<dataDirectory>/secret.key`.
    public static func file(in dataDirectory: URL, environment: [String: String]) -> URL {
        environment[fileVariable].map { URL(fileURLWithPath: $0) } ?? dataDirectory.appendingPathComponent(fileName)
    }

    /// Loads the secret from the file ``fileVariable`` names (which must hold at least 32 bytes), or
    /// else from the data directory, creating it (0600) there when absent.
    public static func load(in dataDirectory: URL, environment: [String: String]) throws -> InstallSecret {
        guard let named = environment[fileVariable] else { return try loadOrCreate(in: dataDirectory) }
        guard let data = FileManager.default.contents(atPath: named), data.count >= 32 else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [
                NSFilePathErrorKey: named,
                NSLocalizedDescriptionKey: "\(fileVariable) names \(named), which cannot be read or holds fewer than 32 bytes; "
                    + "mount the secret there, or unset \(fileVariable) to use \(dataDirectory.appendingPathComponent(fileName).path)",
            ])
        }
        return InstallSecret(bytes: data)
    }

    /// Loads the secret from the data directory, creating it (0600) when absent.
    public static func loadOrCreate(in dataDirectory: URL) throws -> InstallSecret {
        let url = dataDirectory.appendingPathComponent(fileName)
        let fileManager = FileManager.default
        if let data = fileManager.contents(atPath: url.path), data.count >= 32 {
            return InstallSecret(bytes: data)
        }
        try fileManager.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        guard fileManager.createFile(atPath: url.path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: url.path])
        }
        return InstallSecret(bytes: bytes)
    }

    /// HMAC-SHA256 of a fixed label under the secret: what the database records to tell whether a
    /// node has the secret the others have (``InstallCheckStore``). Reveals nothing of the secret.
    public var checkValue: Data {
        hash(Self.checkLabel)
    }

    /// HMAC-SHA256 of `value` under the secret: what is stored instead of a code.
    public func hash(_ value: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: key))
    }

    /// `byteCount` bytes derived from the secret for the purpose `info` names (HKDF-SHA256), never the
    /// secret itself: a key for one use that reveals nothing of the others.
    public func derivedKey(info: String, byteCount: Int = 32) -> Data {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data(info.utf8), outputByteCount: byteCount).withUnsafeBytes { Data($0) }
    }

    /// The sealer of outbox bodies, under a key derived from the secret (HKDF-SHA256), never the secret itself.
    public func mailSealer() -> MailSealer {
        sealer
    }
}
