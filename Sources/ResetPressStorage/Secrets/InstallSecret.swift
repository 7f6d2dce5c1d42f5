import Crypto
import Foundation

/// The per-install keys under which codes, link tokens, auth codes and API tokens are hashed, outbox
/// bodies sealed and webhooks signed: the current key, the next one when a rotation is staged, and
/// the keys the current one replaced.
///
/// The current key is kept in `<data-dir>/secret.key` with mode 0600, made from the system CSPRNG the
/// first time; a container platform may mount it elsewhere and name it in ``fileVariable``. Beside it,
/// `secret rotate` stages the next key in ``nextSuffix`` and `secret promote` makes it current, moving
/// the old one to ``previousSuffix`` (one base64 key per line) until `secret retire` removes it. New
/// data uses the current key only; every key opens and verifies, so a node that has the next key
/// reads what a node that already promoted it writes. Every node on one database shares the files
/// (``checkValue``).
public struct InstallSecret: Sendable {
    /// The file name under the data directory.
    public static let fileName = "secret.key"
    /// What the file of replaced keys adds to the secret file's path: `secret.key.previous`.
    public static let previousSuffix = ".previous"
    /// What the file of the staged key adds to the secret file's path: `secret.key.next`.
    public static let nextSuffix = ".next"
    /// `RESETPRESS_SECRET_FILE`: a file that holds the secret instead of `<data-dir>/secret.key`
    /// (as container platforms mount secrets); it must exist, it is never created.
    public static let fileVariable = "RESETPRESS_SECRET_FILE"
    /// What ``checkValue`` authenticates: a fixed label, so the value says which secret, and nothing of it.
    static let checkLabel = "resetpress install secret check v1"

    /// The keys: the current one, then the next one if staged, then the previous ones, newest first.
    private let keys: [InstallKey]
    /// Whether `keys[1]` is a staged next key.
    private let hasNext: Bool
    /// The sealer of outbox bodies, derived once (every mailing request seals with it).
    private let sealer: MailSealer

    /// Uses `bytes` as the only key (tests, and hosts that manage their own secret).
    public init(bytes: some ContiguousBytes) {
        self.init(current: bytes.withUnsafeBytes { Data($0) }, next: nil, previous: [])
    }

    /// Uses `current` as the key new data uses, and `next` (staged) and `previous` (newest first) to
    /// open and verify what other keys made. A key given twice is kept once, in its first role.
    public init(current: Data, next: Data?, previous: [Data]) {
        var keys = [InstallKey(current)]
        hasNext = next.map { $0 != current } ?? false
        for bytes in (next.map { [$0] } ?? []) + previous where !keys.contains(where: { $0.bytes == bytes }) { keys.append(InstallKey(bytes)) }
        self.keys = keys
        sealer = MailSealer(keys: keys.map(\.sealKey))
    }

    /// The file the secret comes from: the one ``fileVariable`` names in `environment`, else
    /// `<dataDirectory>/secret.key`.
    public static func file(in dataDirectory: URL, environment: [String: String]) -> URL {
        environment[fileVariable].map { URL(fileURLWithPath: $0) } ?? dataDirectory.appendingPathComponent(fileName)
    }

    /// The file of replaced keys beside `secretFile`.
    public static func previousFile(of secretFile: URL) -> URL {
        URL(fileURLWithPath: secretFile.path + previousSuffix)
    }

    /// The file of the staged key beside `secretFile`.
    public static func nextFile(of secretFile: URL) -> URL {
        URL(fileURLWithPath: secretFile.path + nextSuffix)
    }

    /// Loads the secret from the file ``fileVariable`` names (which must hold at least 32 bytes), or
    /// else from the data directory, creating it (0600) there when absent; then the staged and the
    /// replaced keys beside it, when there are any.
    public static func load(in dataDirectory: URL, environment: [String: String]) throws -> InstallSecret {
        let file = file(in: dataDirectory, environment: environment)
        let current: Data
        if let named = environment[fileVariable] {
            guard let data = FileManager.default.contents(atPath: named), data.count >= 32 else {
                throw CocoaError(.fileReadNoSuchFile, userInfo: [
                    NSFilePathErrorKey: named,
                    NSLocalizedDescriptionKey: "\(fileVariable) names \(named), which cannot be read or holds fewer than 32 bytes; "
                        + "mount the secret there, or unset \(fileVariable) to use \(dataDirectory.appendingPathComponent(fileName).path)",
                ])
            }
            current = data
        } else {
            current = try loadOrCreateKey(at: file)
        }
        let next = try keys(at: nextFile(of: file)).first
        return InstallSecret(current: current, next: next, previous: try keys(at: previousFile(of: file)))
    }

    /// The key at `url`, made (0600, synced, with its folder) when absent. Of processes that start
    /// together on a new data folder, the first to link its key into place wins and the others read
    /// that key: none goes on with a key the file does not hold. A file too short to be a key is
    /// named, not replaced: what it held may have sealed mail and hashed codes.
    private static func loadOrCreateKey(at url: URL) throws -> Data {
        let fileManager = FileManager.default
        func existingKey() throws -> Data? {
            guard let data = fileManager.contents(atPath: url.path) else { return nil }
            guard data.count >= 32 else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [
                    NSFilePathErrorKey: url.path,
                    NSLocalizedDescriptionKey: "\(url.path) holds \(data.count) bytes, too few for a key: restore it from a backup or "
                        + "from another server of this site, or delete it to have a new key made (a new site only)",
                ])
            }
            return data
        }
        if let key = try existingKey() { return key }
        try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let bytes = newKey()
        if try KeyRotation.writePrivate(bytes, to: url, replacing: false) { return bytes }
        guard let key = try existingKey() else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: url.path]) }
        return key
    }

    /// The keys in `url` (one base64 key per line), none when the file is absent.
    static func keys(at url: URL) throws -> [Data] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated().map { index, line in
            guard let key = Data(base64Encoded: String(line).trimmingCharacters(in: .whitespaces)), key.count >= 32 else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [
                    NSFilePathErrorKey: url.path,
                    NSLocalizedDescriptionKey: "line \(index + 1) of \(url.path) is not a base64 key of at least 32 bytes; "
                        + "copy the file again from the node that ran `resetpress secret rotate` or `promote`",
                ])
            }
            return key
        }
    }

    /// 32 bytes from the system CSPRNG: a new key.
    static func newKey() -> Data {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }

    /// HMAC-SHA256 of a fixed label under the current key: what the database records to tell whether
    /// a node has the keys the others have (``InstallCheckStore``). Reveals nothing of the key.
    public var checkValue: Data { keys[0].checkValue }

    /// The check values of every key, current first.
    public var checkValues: [Data] { keys.map(\.checkValue) }

    /// The keys' ids, current first, then the next, then the previous ones: the first 8 hex digits
    /// of each ``checkValues`` entry.
    public var keyIDs: [String] { keys.map(\.id) }

    /// Each key's role, in the order of ``keyIDs``.
    public var roles: [InstallKeyRole] {
        keys.indices.map { $0 == 0 ? .current : ($0 == 1 && hasNext ? .next : .previous) }
    }

    /// The staged key's id, when a rotation is staged.
    public var nextKeyID: String? { hasNext ? keys[1].id : nil }

    /// The previous keys' ids, newest first.
    public var previousKeyIDs: [String] { Array(keyIDs.dropFirst(hasNext ? 2 : 1)) }

    /// HMAC-SHA256 of `value` under the current key: what is stored instead of a code.
    public func hash(_ value: String) -> Data {
        keys[0].hash(value)
    }

    /// 32 random bytes in place of a token's hash, for a code issued without that token: no token's
    /// HMAC matches it (but with a chance of 2^-256), and it costs no HMAC.
    public static func unmatchedHash() -> Data {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }

    /// HMAC-SHA256 of `value` under every key, current first: what a stored hash is looked up or
    /// compared by, so that what an older key hashed still matches.
    public func hashes(_ value: String) -> [Data] {
        keys.count == 1 ? [keys[0].hash(value)] : keys.map { $0.hash(value) }
    }

    /// `byteCount` bytes derived from the current key for the purpose `info` names (HKDF-SHA256),
    /// never the key itself: a key for one use that reveals nothing of the others.
    public func derivedKey(info: String, byteCount: Int = 32) -> Data {
        keys[0].derived(info: info, byteCount: byteCount)
    }

    /// ``derivedKey(info:byteCount:)`` under every key, current first.
    public func derivedKeys(info: String, byteCount: Int = 32) -> [Data] {
        keys.map { $0.derived(info: info, byteCount: byteCount) }
    }

    /// The sealer of outbox bodies: it seals under a key derived from the current key, and opens
    /// under the ones derived from every key.
    public func mailSealer() -> MailSealer {
        sealer
    }

    /// With `bytes` staged as the next key: what `secret rotate` writes.
    public func staging(_ bytes: Data) -> InstallSecret {
        InstallSecret(current: keys[0].bytes, next: bytes, previous: previousBytes)
    }

    /// With the staged key current and the current one first of the previous: what `secret promote`
    /// writes; nil when no key is staged.
    public func promoted() -> InstallSecret? {
        guard hasNext else { return nil }
        return InstallSecret(current: keys[1].bytes, next: nil, previous: [keys[0].bytes] + previousBytes)
    }

    /// With the previous keys gone: what `secret retire` leaves.
    public func retired() -> InstallSecret {
        InstallSecret(current: keys[0].bytes, next: hasNext ? keys[1].bytes : nil, previous: [])
    }

    /// The current key's bytes (only the key files are written from them).
    var currentBytes: Data { keys[0].bytes }
    /// The staged key's bytes.
    var nextBytes: Data? { hasNext ? keys[1].bytes : nil }
    /// The previous keys' bytes, newest first.
    var previousBytes: [Data] { keys.dropFirst(hasNext ? 2 : 1).map(\.bytes) }
}

/// What a key of an ``InstallSecret`` is for.
public enum InstallKeyRole: String, Sendable, Codable {
    /// Seals, hashes and signs new data; opens and verifies.
    case current
    /// Staged by `secret rotate`: opens and verifies, until `secret promote` makes it current.
    case next
    /// Replaced by a rotation: opens and verifies, until `secret retire`.
    case previous
}

/// One key of an ``InstallSecret`` with what is derived from it once.
private struct InstallKey: Sendable {
    let bytes: Data
    /// Immutable after init; swift-crypto does not mark the type Sendable.
    nonisolated(unsafe) let key: SymmetricKey
    nonisolated(unsafe) let sealKey: SymmetricKey
    let checkValue: Data
    let id: String
    private let keyedHash: KeyedHash

    init(_ bytes: Data) {
        self.bytes = bytes
        key = SymmetricKey(data: bytes)
        keyedHash = KeyedHash(key: key)
        sealKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data(MailSealer.keyInfo.utf8), outputByteCount: 32)
        checkValue = keyedHash.code(for: InstallSecret.checkLabel)
        id = checkValue.prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    func hash(_ value: String) -> Data {
        keyedHash.code(for: value)
    }

    func derived(info: String, byteCount: Int) -> Data {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data(info.utf8), outputByteCount: byteCount).withUnsafeBytes { Data($0) }
    }
}
