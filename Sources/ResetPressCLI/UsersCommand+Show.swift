import ArgumentParser
import Foundation
import ResetPassword
import ResetPressEngine
import ResetPressSite

extension UsersCommand {
    /// `resetpress users show EMAIL|LOGIN [--json]`: one user's resets, newest first.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what happened to one user's resets: requests and what came of them, their mail with the server's answer, codes used or refused.")
        @OptionGroup var site: SiteOptions
        @Argument(help: "The user's email or login.") var user: String
        @Option(help: "At most this many events and this many mails.") var limit = 100
        @Flag(help: "Print JSON: user, current_code, blocked_until, entries (what, at, outcome, client_ip, detail).") var json = false

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be a positive number.") }
        }

        func run() async throws {
            let site = try await Site.open(self.site)
            guard let desk = site.reset.support else { throw CLIFailure("this site's users are kept by its host, not in its own table.") }
            guard let found = try await desk.user(named: user) else {
                throw CLIFailure("no user has the email or login \(user); see `resetpress users list`.")
            }
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
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a user with their codes, block, mail and events (their timeline); recorded in the audit trail.")
        @OptionGroup var site: SiteOptions
        @Argument(help: "The user's email or login.") var user: String
        @Flag(help: "Delete for real; without it, only say what would be deleted.") var yes = false

        func run() async throws {
            let site = try await Site.open(self.site)
            guard let desk = site.reset.support else { throw CLIFailure("this site's users are kept by its host, not in its own table.") }
            guard let found = try await desk.user(named: user), let id = found.id else {
                throw CLIFailure("no user has the email or login \(user); see `resetpress users list`.")
            }
            guard yes else {
                throw CLIFailure("this deletes user #\(id) \(found.login) <\(found.email)> with their codes, mail and events; run again with --yes.")
            }
            _ = try await desk.delete(found)
            try await site.storage.audit.record([AuditRecord(at: Date(), actor: .cli, action: "user.deleted", subject: "#\(id) \(found.login)")])
            print("Deleted user #\(id) \(found.login) with their codes, mail and events.")
        }
    }
}
