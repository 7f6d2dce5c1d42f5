import Foundation

/// Who did something an owner may have to account for: a signed-in admin, an API token, or the CLI.
public struct AuditActor: Sendable, Equatable {
    /// `admin`, `token:<name>` or `cli:<os user>`.
    public var name: String
    /// The client's address; empty for the CLI.
    public var clientIP: String

    public init(name: String, clientIP: String = "") {
        self.name = name
        self.clientIP = clientIP
    }

    /// The CLI run by the current OS user.
    public static var cli: AuditActor {
        AuditActor(name: "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName))
    }
}

/// One entry of the audit trail: when, who, from where, and what changed. It never holds a secret:
/// a secret setting's values are recorded as changed, a token or auth code by its id or name.
public struct AuditRecord: Sendable, Equatable, Codable {
    public var at: Date
    /// ``AuditActor/name``.
    public var actor: String
    public var clientIP: String
    /// What was done, as `noun.verb`: `setting.changed`, `token.added`, `signin.failed`.
    public var action: String
    /// What it was done to: a setting's key, a token's name, an auth code's id, a run's id.
    public var subject: String
    /// The change itself, where there is more to say (`store_only -> default_email`).
    public var detail: String

    public init(at: Date, actor: AuditActor, action: String, subject: String, detail: String = "") {
        self.at = at
        self.actor = actor.name
        self.clientIP = actor.clientIP
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}

extension AuditRecord {
    /// That `actor` queued failed entries of `queue` (`mail`, `webhooks`) again: those of `ids`, or
    /// every failed one when nil; `requeued` of them went back in the queue.
    public static func retry(of queue: String, ids: [Int64]?, requeued: Int, at: Date, by actor: AuditActor) -> AuditRecord {
        AuditRecord(
            at: at, actor: actor, action: "\(queue).retried", subject: ids.map { $0.map(String.init).joined(separator: ",") } ?? "all failed",
            detail: "\(requeued) queued again")
    }
}

/// The audit trail's storage: records are only added, read newest first, and deleted when old.
public protocol AuditStore: Sendable {
    /// Adds `records`, all of them or none.
    func record(_ records: [AuditRecord]) async throws

    /// The records at or after `since` (all when nil), newest first, at most `limit`.
    func list(since: Date?, limit: Int) async throws -> [AuditRecord]

    /// Deletes the records before `date`; returns how many.
    func deleteBefore(_ date: Date) async throws -> Int
}
