import Foundation
import ResetPressEngine
import ResetPressStorage
import ResetPressUsers
import Synchronization

/// The AUTH_CODE gate: auth codes stored as keyed hashes, matched in constant time.
///
/// The codes are few and read on every gated request, so the gate keeps them in memory and
/// refreshes its copy whenever it adds or removes one.
public final class AuthCodeGate: Sendable {
    private let store: any AuthCodeStore
    private let secret: InstallSecret
    private let cached = Mutex<[AuthCodeRecord]>([])

    init(store: any AuthCodeStore, secret: InstallSecret) {
        self.store = store
        self.secret = secret
    }

    /// Reads the stored codes into memory.
    func refresh() async throws {
        let records = try await store.all()
        cached.withLock { $0 = records }
    }

    /// Whether at least one code is stored (settings rule 7001).
    public var hasCodes: Bool { cached.withLock { !$0.isEmpty } }

    /// Checks the gate for a request's parameters when `reset_password.requires_auth_code` is on.
    func check(parameters: [String: String], settings: SettingsSnapshot, now: Date) throws(ResetFailure) {
        guard settings[ResetPasswordSettings.requiresAuthCode] else { return }
        let key = settings[ResetPasswordSettings.authCodeKey]
        guard let presented = parameters[key] ?? parameters["AUTH_CODE"] ?? parameters["AUTH_KEY"], !presented.isEmpty else {
            throw .authCodeRequired
        }
        guard matches(presented, now: now) != nil else { throw .invalidAuthCode(key: key) }
    }

    /// The record a code matches, skipping expired ones; every record is compared, so the time
    /// taken does not depend on where (or whether) a match is.
    func matches(_ presented: String, now: Date) -> AuthCodeRecord? {
        let hashes = secret.hashes(presented)
        var found: AuthCodeRecord?
        for record in cached.withLock({ $0 }) {
            let equal = ConstantTime.equalsAny(hashes, record.codeHash)
            let live = record.expiresAt.map { $0 > now } ?? true
            if equal && live && found == nil { found = record }
        }
        return found
    }

    // MARK: - Management (CLI, admin)

    /// Stores a new auth code. One shorter than ``AuthCodeRecord/minimumStrongLength`` is refused
    /// unless `allowShort` (a site moving from SJL keeps the codes its clients send); it is then
    /// stored and marked weak, and the caller warns with ``AuthCodeGate/weakWarning(_:)``. Its audit record, by `actor`, commits with it.
    public func add(code: String, role: String, expiresAt: Date?, allowShort: Bool = false, now: Date = Date(), by actor: AuditActor) async throws -> AuthCodeRecord {
        guard !code.isEmpty else { throw AuthCodeError.empty }
        guard allowShort || code.count >= AuthCodeRecord.minimumStrongLength else { throw AuthCodeError.tooShort }
        let record = try await store.add(
            codeHash: secret.hash(code), lastFour: String(code.suffix(4)), length: code.count, role: role, expiresAt: expiresAt, now: now, by: actor)
        try await refresh()
        return record
    }

    /// The warning for a weak code just stored, naming it by its id and last characters.
    public static func weakWarning(_ record: AuthCodeRecord) -> String {
        "auth code #\(record.id) ****\(record.lastFour) has \(record.length ?? 0) characters, fewer than \(AuthCodeRecord.minimumStrongLength): "
            + "it is weak (guessable); move your clients to a random code (resetpress auth-codes add --generate) and remove it."
    }

    /// Every stored code (hashes and last four characters only).
    public func list() async throws -> [AuthCodeRecord] {
        try await store.all()
    }

    /// Removes a code by id, with its audit record by `actor` at `now`; false when there was none.
    public func remove(id: Int64, now: Date, by actor: AuditActor) async throws -> Bool {
        let removed = try await store.remove(id: id, now: now, by: actor)
        try await refresh()
        return removed
    }
}

/// Why an auth code could not be added.
public enum AuthCodeError: Error, CustomStringConvertible {
    case empty
    case tooShort

    public var description: String {
        switch self {
        case .empty: "An auth code cannot be empty; use a random one (resetpress auth-codes add --generate)."
        case .tooShort:
            "An auth code must be at least 8 characters long; use a random one (resetpress auth-codes add --generate), "
                + "or keep a short code your clients already send with --allow-short."
        }
    }
}
