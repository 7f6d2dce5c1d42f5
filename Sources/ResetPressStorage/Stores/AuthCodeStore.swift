import Foundation
import ResetPressEngine

/// A stored auth code: a keyed hash, never the code itself.
public struct AuthCodeRecord: Sendable, Equatable {
    public var id: Int64
    /// HMAC-SHA256 of the code under the install secret.
    public var codeHash: Data
    /// The last 4 characters, for display.
    public var lastFour: String
    /// The role a request that presents this code acts with (SJL's `role`); may be empty.
    public var role: String
    /// When the code stops being accepted; nil for never.
    public var expiresAt: Date?
    public var createdAt: Date
    /// The code's length in characters; nil for codes stored before lengths were kept (all 8 or more).
    public var length: Int?

    /// The shortest code that is not weak; shorter ones exist only for sites that came from SJL.
    public static let minimumStrongLength = 8

    public init(id: Int64, codeHash: Data, lastFour: String, role: String, expiresAt: Date?, createdAt: Date, length: Int? = nil) {
        self.id = id
        self.codeHash = codeHash
        self.lastFour = lastFour
        self.role = role
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.length = length
    }

    /// Whether the code is shorter than ``minimumStrongLength`` (kept for SJL migrants, shown as weak).
    public var isWeak: Bool { (length ?? Self.minimumStrongLength) < Self.minimumStrongLength }
}

/// The auth codes that open the AUTH_CODE gate.
public protocol AuthCodeStore: Sendable {
    /// Adds a code of `length` characters, and, when `actor` is given, its audit record in the same
    /// transaction; throws `StorageError.duplicate` when the same code is already stored.
    func add(codeHash: Data, lastFour: String, length: Int, role: String, expiresAt: Date?, now: Date, by actor: AuditActor?) async throws -> AuthCodeRecord

    /// Every code, expired or not, oldest first.
    func all() async throws -> [AuthCodeRecord]

    /// Removes a code by id, and, when `actor` is given and there was one, records that at `now` in
    /// the same transaction; false when there was none.
    func remove(id: Int64, now: Date, by actor: AuditActor?) async throws -> Bool
}

extension AuthCodeStore {
    /// Adds a code with no audit record (tests, imports the caller records).
    public func add(codeHash: Data, lastFour: String, length: Int, role: String, expiresAt: Date?, now: Date) async throws -> AuthCodeRecord {
        try await add(codeHash: codeHash, lastFour: lastFour, length: length, role: role, expiresAt: expiresAt, now: now, by: nil)
    }
}

/// Errors the stores report.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A unique value (email, login, auth code) is already stored.
    case duplicate(String)
    /// No record has this identifier.
    case notFound(String)
    /// A stored value is not in the form the store writes (a damaged row).
    case unreadable(String)

    public var description: String {
        switch self {
        case .duplicate(let what): "\(what) already exists."
        case .notFound(let what): "\(what) was not found."
        case .unreadable(let what): "\(what) could not be read."
        }
    }
}
