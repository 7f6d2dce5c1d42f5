import ArgumentParser
import Foundation
import ResetPassword
import ResetPressEngine
import ResetPressSite
import ResetPressUsers

extension UsersCommand {
    /// `resetpress users show EMAIL|LOGIN [--json]`: one user's resets, newest first.
    struct Show: SiteCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what happened to one user's resets: requests and what came of them, their mail with the server's answer, codes used or refused.")
        @OptionGroup var site: SiteOptions
        @Argument(help: "The user's email or login.") var user: String
        @Option(help: "At most this many events and this many mails.") var limit = 100
        @Flag(help: "Print JSON: user, current_code, blocked_until, entries (what, at, outcome, client_ip, detail).") var json = false

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be a positive number.") }
        }

        func run(on site: Site) async throws {
            let (desk, found) = try await UsersCommand.supportUser(named: user, in: site)
            let timeline = try await desk.timeline(for: found, now: Date(), limit: limit)
            if json {
                print(try JSONOutput.text(timeline))
                return
            }
            print("User #\(timeline.user.id) \(timeline.user.login) <\(timeline.user.email)>")
            if let code = timeline.currentCode {
                print("Current code: issued \(CLIDate.format(code.issuedAt)), expires \(CLIDate.format(code.expiresAt)), \(code.attempts) wrong guesses.")
            } else {
                print("No current code.")
            }
            if let until = timeline.blockedUntil { print("Blocked by \"that wasn't me\" until \(CLIDate.format(until)).") }
            guard !timeline.entries.isEmpty else { return print("Nothing recorded for this user yet.") }
            TextTable.print(
                header: ["AT", "WHAT", "OUTCOME", "CLIENT IP", "DETAIL"],
                rows: timeline.entries.map { [CLIDate.format($0.at), $0.what, $0.outcome, $0.clientIP ?? "-", $0.detail ?? ""] })
        }
    }

    /// `resetpress users delete EMAIL|LOGIN --yes`: a user and everything kept of them.
    struct Delete: SiteCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a user with their codes, block, mail and events (their timeline); recorded in the audit trail.")
        @OptionGroup var site: SiteOptions
        @Argument(help: "The user's email or login.") var user: String
        @Flag(help: "Delete for real; without it, only say what would be deleted.") var yes = false

        func run(on site: Site) async throws {
            let (desk, found) = try await UsersCommand.supportUser(named: user, in: site)
            let id = found.id ?? 0
            guard yes else {
                throw CLIFailure("this deletes user #\(id) \(found.login) <\(found.email)> with their codes, mail and events; run again with --yes.")
            }
            _ = try await desk.delete(found)
            try await site.storage.audit.record([AuditRecord(at: Date(), actor: .cli, action: "user.deleted", subject: "#\(id) \(found.login)")])
            print("Deleted user #\(id) \(found.login) with their codes, mail and events.")
        }
    }

    /// The support desk of a site that keeps its own users, and the user `name` names (email or
    /// login); a failure that says why when there is none.
    static func supportUser(named name: String, in site: Site) async throws -> (SupportDesk, User) {
        guard let desk = site.reset.support else { throw CLIFailure("this site's users are kept by its host, not in its own table.") }
        guard let found = try await desk.user(named: name) else {
            throw CLIFailure("no user has the email or login \(name); see `resetpress users list`.")
        }
        return (desk, found)
    }
}
