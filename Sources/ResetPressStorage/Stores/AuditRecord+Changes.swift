import Foundation
import ResetPressEngine

/// The audit records the stores commit in the same transaction as the change they describe.
extension AuditRecord {
    /// `actor` stored auth code `code` (by id and last four characters, never the code).
    package static func authCodeAdded(_ code: AuthCodeRecord, by actor: AuditActor) -> AuditRecord {
        AuditRecord(at: code.createdAt, actor: actor, action: "auth_code.added", subject: "\(code.id)", detail: "…\(code.lastFour)")
    }

    /// `actor` removed auth code `id` at `at`.
    package static func authCodeRemoved(id: Int64, at: Date, by actor: AuditActor) -> AuditRecord {
        AuditRecord(at: at, actor: actor, action: "auth_code.removed", subject: "\(id)")
    }

    /// `actor` made API token `token` (its name, id and scopes, never the token).
    package static func tokenAdded(_ token: APIToken, by actor: AuditActor) -> AuditRecord {
        AuditRecord(at: token.createdAt, actor: actor, action: "token.added", subject: token.name, detail: "#\(token.id) \(token.scopes.joined(separator: ","))")
    }

    /// `actor` revoked API token `id` at `at`.
    package static func tokenRevoked(id: Int64, at: Date, by actor: AuditActor) -> AuditRecord {
        AuditRecord(at: at, actor: actor, action: "token.revoked", subject: "#\(id)")
    }
}
