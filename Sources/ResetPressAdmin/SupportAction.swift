import Foundation
import ResetPassword
import ResetPressEngine
import ResetPressStorage
import ResetPressUsers

/// An action of the support desk on one user, as the Users page and the admin API run it; each
/// is recorded in the audit trail (a hand-over link by the fact, never the link).
enum SupportAction: String, CaseIterable, Sendable {
    case sendReset = "send-reset"
    case handover
    case expirePassword = "expire-password"
    case liftBlock = "lift-block"

    /// The button's words.
    var label: String {
        switch self {
        case .sendReset: "Send a reset now"
        case .handover: "Create a one-time link to hand over"
        case .expirePassword: "Expire the password"
        case .liftBlock: "Lift the \"that wasn't me\" block"
        }
    }

    /// What the audit trail calls it.
    var auditAction: String {
        switch self {
        case .sendReset: "user.reset_sent"
        case .handover: "user.handover_link"
        case .expirePassword: "user.password_expired"
        case .liftBlock: "user.block_lifted"
        }
    }

    /// What came of an action: words for the admin, and the hand-over link when one was made (shown
    /// once in the answer, never stored in clear).
    struct Result: Sendable {
        let message: String
        var link: HandoverLink?
    }

    /// Why an action was refused, in words for the admin (a block, or the reset flow's refusal).
    struct Refusal: Error {
        let message: String
    }

    /// Runs the action for `user` by `actor`, then records it in the audit trail; a refusal by the
    /// desk or the reset flow throws ``Refusal``.
    func run(on user: User, desk: SupportDesk, site: AdminSite, actor: AuditActor, hookContext: HookContext) async throws -> Result {
        do {
            return try await perform(on: user, desk: desk, site: site, actor: actor, hookContext: hookContext)
        } catch let error as SupportActionError {
            throw Refusal(message: error.description)
        } catch let failure as ResetFailure {
            throw Refusal(message: "Refused: \(failure.description)")
        }
    }

    private func perform(on user: User, desk: SupportDesk, site: AdminSite, actor: AuditActor, hookContext: HookContext) async throws -> Result {
        let result: Result
        switch self {
        case .sendReset:
            let answer = try await desk.sendReset(to: user, clientIP: actor.clientIP, context: hookContext, settings: site.settings.snapshot)
            result = Result(message: "Reset requested through the normal flow: \(answer) Its outcome shows on the timeline.")
        case .handover:
            let link = try await desk.handoverLink(for: user)
            result = Result(
                message: "One-time link made, valid until \(AdminFormat.date(link.expiresAt)). Copy it now: it is not shown again.", link: link)
        case .expirePassword:
            try await desk.expirePassword(of: user)
            result = Result(message: "The password is expired: only a reset sets a new one.")
        case .liftBlock:
            let lifted = try await desk.liftBlock(of: user)
            result = Result(message: lifted ? "The block is lifted: resets work again." : "There was no block to lift.")
        }
        try await site.record(AuditRecord(
            at: site.now, actor: actor, action: auditAction, subject: "#\(user.id ?? 0) \(user.login)",
            detail: result.link.map { "valid until \($0.expiresAt.formatted(.iso8601))" } ?? ""))
        return result
    }
}
