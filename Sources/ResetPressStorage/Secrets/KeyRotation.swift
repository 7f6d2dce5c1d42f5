import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `secret rotate`, `promote` and `retire`: stages a new install key, makes it current, and removes
/// the previous ones once no stored data uses them.
///
/// Two steps, so that no node ever meets data under a key it lacks: a staged key opens and verifies
/// on every node that has it, but seals nothing until `promote`; once every node has it, promotion
/// makes it current, and the nodes not yet restarted still open what it seals. Each step records the
/// key's check value in the database first, then writes its files (0600, each replaced atomically),
/// so a crash between the writes leaves a ring that still opens everything. Running servers keep the
/// keys they loaded until they restart.
public struct KeyRotation: Sendable {
    /// The site's storage: where checks are recorded and where retire looks for data under old keys.
    public let storage: SiteStorage
    /// The file of the current key (``InstallSecret/file(in:environment:)``).
    public let secretFile: URL

    public init(storage: SiteStorage, secretFile: URL) {
        self.storage = storage
        self.secretFile = secretFile
    }

    /// Stages a new key next to `secret`'s current one; returns the new ring. The caller checked that
    /// none is staged yet.
    public func stage(_ secret: InstallSecret, now: Date) async throws -> InstallSecret {
        let staged = secret.staging(InstallSecret.newKey())
        guard let next = staged.nextBytes else { return staged }
        // Recorded first: a node started with the new files is admitted even if the write below fails.
        try await storage.installChecks.record(staged.checkValues[1], now: now)
        try Self.writePrivate(Self.lines([next]), to: InstallSecret.nextFile(of: secretFile))
        return staged
    }

    /// Makes the staged key current and keeps the current one as the newest previous key; returns
    /// the new ring, or nil when no key is staged. Its recorded time becomes `now`: what `retire`
    /// counts data from.
    public func promote(_ secret: InstallSecret, now: Date) async throws -> InstallSecret? {
        guard let promoted = secret.promoted() else { return nil }
        try await storage.installChecks.record(promoted.checkValue, now: now)
        try Self.writePrivate(Self.lines(promoted.previousBytes), to: InstallSecret.previousFile(of: secretFile))
        try Self.writePrivate(promoted.currentBytes, to: secretFile)
        try Self.remove(InstallSecret.nextFile(of: secretFile))
        return promoted
    }

    /// What still uses a key older than `secret`'s current one, as sentences that say when or how it
    /// stops; empty when the previous keys can be retired.
    public func remainingUses(of secret: InstallSecret, now: Date) async throws -> [String] {
        guard !secret.previousKeyIDs.isEmpty else { return [] }
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

    /// Forgets the previous keys: the database stops admitting nodes with only an old key, then the
    /// previous keys' file goes. The caller checked ``remainingUses(of:now:)``.
    public func retire(_ secret: InstallSecret) async throws -> InstallSecret {
        let retired = secret.retired()
        try await storage.installChecks.keep(only: retired.checkValues)
        try Self.remove(InstallSecret.previousFile(of: secretFile))
        return retired
    }

    /// One base64 key per line: the form of the `.next` and `.previous` files.
    static func lines(_ keys: [Data]) -> Data {
        Data(keys.map { $0.base64EncodedString() + "\n" }.joined().utf8)
    }

    /// Removes `url` when it exists.
    static func remove(_ url: URL) throws {
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }

    /// Writes `data` to `url` as a new 0600 file synced to disk, then renames it over the old one;
    /// or, when not `replacing`, links it into place only if `url` does not exist yet. Returns
    /// whether `url` now holds `data` (false: another file was there first, and is kept).
    @discardableResult
    static func writePrivate(_ data: Data, to url: URL, replacing: Bool = true) throws -> Bool {
        // A name of this call's own: two processes (or threads) creating the same file do not share it.
        let temporary = url.path + (replacing ? ".new" : ".new-\(UUID().uuidString)")
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, PrivateFiles.fileMode)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary]) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        let complete = written == data.count && synced
        let placed = complete && (replacing ? rename(temporary, url.path) : link(temporary, url.path)) == 0
        let failure = errno
        unlink(temporary)  // after a link, its second name; after a rename, nothing is left
        guard placed || (complete && !replacing && failure == EEXIST) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        return placed
    }

    private static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
