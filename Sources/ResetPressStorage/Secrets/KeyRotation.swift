import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `secret rotate` and `secret retire`: adds a current install key, and removes the previous ones once
/// no stored data uses them.
///
/// Rotation records the new key's check value in the database first, then writes the previous keys
/// (`secret.key.previous`) and last the new `secret.key`, each 0600 and replaced atomically; a crash
/// between the writes leaves a ring that still opens everything. Running servers keep the keys they
/// loaded until they restart, so every node gets both files and restarts before `retire`.
public struct KeyRotation: Sendable {
    /// The site's storage: where checks are recorded and where retire looks for data under old keys.
    public let storage: SiteStorage
    /// The file of the current key (``InstallSecret/file(in:environment:)``).
    public let secretFile: URL

    public init(storage: SiteStorage, secretFile: URL) {
        self.storage = storage
        self.secretFile = secretFile
    }

    /// Makes a new current key, keeping `secret`'s keys as previous ones; returns the new ring.
    public func rotate(_ secret: InstallSecret, now: Date) async throws -> InstallSecret {
        let rotated = secret.rotated(to: InstallSecret.newKey())
        // Recorded first: a node started with the new files is admitted even if a write below fails.
        try await storage.installChecks.record(rotated.checkValue, now: now)
        let previous = rotated.keyBytes.dropFirst().map { $0.base64EncodedString() + "\n" }.joined()
        try Self.writePrivate(Data(previous.utf8), to: InstallSecret.previousFile(of: secretFile))
        try Self.writePrivate(rotated.keyBytes[0], to: secretFile)
        return rotated
    }

    /// What still uses a key older than `secret`'s current one, as sentences that say when or how it
    /// stops; empty when the previous keys can be retired.
    public func remainingUses(of secret: InstallSecret, now: Date) async throws -> [String] {
        guard secret.keyIDs.count > 1 else { return [] }
        guard let rotatedAt = try await storage.installChecks.recorded().first(where: { $0.value == secret.checkValue })?.recordedAt else {
            return ["the database does not record the current key \(secret.keyIDs[0]): start a server or run a command with it once, then retire."]
        }
        var uses: [String] = []
        if let expiry = try await storage.resetCodes.latestExpiry(issuedBefore: rotatedAt), expiry > now {
            uses.append("reset codes issued before the rotation work until \(Self.format(expiry)); retire after that.")
        }
        if let oldest = try await storage.outbox.oldestSealed(), oldest < rotatedAt {
            uses.append("mail queued at \(Self.format(oldest)), before the rotation, is not sent yet: wait for the sender, "
                + "or retry failed mail (resetpress mail retry) or let it expire (mail.keep_days).")
        }
        let authCodes = try await storage.authCodes.all().filter { $0.createdAt < rotatedAt && ($0.expiresAt.map { $0 > now } ?? true) }
        if !authCodes.isEmpty {
            uses.append("auth codes \(authCodes.map { "#\($0.id)" }.joined(separator: ", ")) were stored before the rotation: "
                + "add new ones (resetpress auth-codes add), move your clients to them, and remove these.")
        }
        let tokens = try await storage.apiTokens.list().filter { $0.createdAt < rotatedAt && $0.isActive(at: now) }
        if !tokens.isEmpty {
            uses.append("API tokens \(tokens.map { "#\($0.id) \($0.name)" }.joined(separator: ", ")) were made before the rotation: "
                + "add new ones (resetpress admin tokens add), move your scripts to them, and revoke these.")
        }
        return uses
    }

    /// Forgets every key but the current one: the database stops admitting nodes with the old keys,
    /// then the previous keys' file goes. The caller checked ``remainingUses(of:now:)``.
    public func retire(_ secret: InstallSecret) async throws -> InstallSecret {
        try await storage.installChecks.keep(only: [secret.checkValue])
        let previous = InstallSecret.previousFile(of: secretFile)
        if FileManager.default.fileExists(atPath: previous.path) { try FileManager.default.removeItem(at: previous) }
        return InstallSecret(current: secret.keyBytes[0], previous: [])
    }

    /// Writes `data` to `url` as a new 0600 file synced to disk, then renames it over the old one.
    static func writePrivate(_ data: Data, to url: URL) throws {
        let temporary = url.path + ".new"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, PrivateFiles.fileMode)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary]) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == data.count, synced, rename(temporary, url.path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }

    private static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
