import Foundation
import ResetPressTestSupport
import Testing

/// The support desk's acceptance test (issue 23) through `resetpress serve`, mail over SMTP to a loopback aiosmtpd
/// that refuses one address with a 550: `users show` tells each user what came of their requests with the SMTP
/// server's replies, `stats` counts exactly the run, and a hand-over link works once, dies after its minute and
/// leaves no trace in the data folder, the log, the events, the audit trail, any mail or any hook's input.
@Suite struct SupportDeskServeTests {
    static let reset = ResetLoad.path
    static let refused = "refused@example.org"
    static let users = [("ann", "ann@example.org"), ("refused", refused), ("cy", "cy@example.org")]
    static let resetSubject = "Reset your password for ResetPress"
    static let changedSubject = "Your password on ResetPress was changed"

    @Test(.timeLimit(.minutes(4))) func theDeskTellsEachUserWhatHappenedAndAHandOverLinkLeavesNoTrace() async throws {
        let site = try await SupportDeskSite(users: Self.users, refused: Self.refused)
        defer { site.stop() }

        // Ann asks twice (the throttle refuses the second), refused@ once (a 550: failed for good), cy once.
        for email in ["ann@example.org", "ann@example.org", Self.refused, "cy@example.org"] {
            let answer = try await site.server.send("POST", Self.reset, json: ["email": email])
            #expect(answer.status == 200 && answer.body.contains("Reset password email has been sent."), "\(email): \(answer.body)")
        }
        let cyMail = try await site.eventually("reset mail to cy") { try site.smtp.received().first { $0.rcpt == ["cy@example.org"] } }
        let code = try #require(SiteFolder.code(after: "Your reset code is: ", in: cyMail.text), "\(cyMail.text)")
        let change = try await site.server.send("PUT", Self.reset, json: ["email": "cy@example.org", "code": code, "new_password": "cy-chose-this-one"])
        #expect(change.status == 200 && change.body.contains("User Password has been changed."), "\(change.body)")
        let settled = try await site.eventually("every mail delivered or failed") {
            let stats = try site.stats()
            return stats.queue["queued", default: 0] + stats.queue["sending", default: 0] == 0 && stats.queue["sent"] == 3 ? stats : nil
        }
        let accepted = try site.smtp.received()
        #expect(accepted.map(\.rcpt) == [["ann@example.org"], ["cy@example.org"], ["cy@example.org"]], "aiosmtpd took: \(accepted.map(\.rcpt))")
        #expect(accepted.filter { $0.subject == Self.resetSubject }.count == 2 && accepted.last?.subject == Self.changedSubject)

        // The site-wide figures: exactly what the run implies, nothing else.
        var expected = settled.counts.mapValues { _ in 0 }
        for (kind, count) in ["request": 4, "code_issued": 3, "throttled": 1, "completed": 1, "mail_failed": 1, "mail_sent": accepted.count] {
            expected[kind] = count
        }
        #expect(settled.counts == expected)
        #expect(settled.queue == ["queued": 0, "sending": 0, "sent": 3, "failed": 1])

        try checkTimelines(site, accepted: accepted)
        #expect(try site.stats().counts == settled.counts, "reading the desk changes no figure")

        try await checkHandOverLinks(site, before: settled)
    }

    /// `users show` (JSON and text) for each user tells what happened, with the SMTP replies.
    private func checkTimelines(_ site: SupportDeskSite, accepted: [LoopbackSMTPServer.Message]) throws {
        let annReply = try #require(accepted.first { $0.rcpt == ["ann@example.org"] }).reply
        let cyReplies = accepted.filter { $0.rcpt == ["cy@example.org"] }.map(\.reply)
        let refusal = LoopbackSMTPServer.refusal(of: Self.refused)

        let ann = try site.timeline("ann")
        #expect(ann.summary == ["request: throttled: asked again too soon", "mail: sent", "request: issued"])
        #expect(ann.detail(1).hasPrefix("\(Self.resetSubject) — \(annReply) at "), "\(ann.detail(1))")
        let refused = try site.timeline(Self.refused)
        #expect(refused.summary == ["mail: failed", "request: issued"])
        let failure = try #require(refused.entries.first?.detail)
        #expect(failure.hasPrefix("\(Self.resetSubject) — ") && failure.contains(refusal) && failure.hasSuffix("(1 try)"), "\(failure)")
        let cy = try site.timeline("cy@example.org")
        #expect(cy.summary == ["mail: sent", "password: changed: the code was used", "mail: sent", "request: issued"])
        #expect(cy.detail(0).hasPrefix("\(Self.changedSubject) — \(cyReplies.last ?? "?") at "), "\(cy.detail(0))")
        #expect(cy.detail(2).hasPrefix("\(Self.resetSubject) — \(cyReplies.first ?? "?") at "), "\(cy.detail(2))")
        for timeline in [ann, refused, cy] {
            #expect(timeline.blockedUntil == nil)
            for entry in timeline.entries {
                let expectedIP: String? = ["request", "password"].contains(entry.what) ? "127.0.0.1" : nil
                #expect(entry.clientIp == expectedIP, "\(timeline.user.login): \(entry)")
            }
        }

        // The text says the same, row for row: its DETAIL is the JSON's, whole, with the server's reply.
        var refusedRow = ""
        for (name, timeline) in [("ann", ann), (Self.refused, refused), ("cy", cy)] {
            let (status, text) = try site.command(["users", "show", name])
            #expect(status == 0, "\(text)")
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines.first == "User #\(timeline.user.id) \(timeline.user.login) <\(timeline.user.email)>", "\(text)")
            let header = try #require(lines.first { $0.hasPrefix("AT ") }, "\(text)")
            let detailColumn = try #require(header.range(of: "DETAIL")).lowerBound.utf16Offset(in: header)
            let rows = Array(lines.drop { !$0.hasPrefix("AT ") }.dropFirst())
            #expect(rows.count == timeline.entries.count, "\(text)")
            for (row, entry) in zip(rows, timeline.entries) {
                let cells = row.split(separator: "  ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
                #expect(Array(cells.prefix(4)) == [entry.at, entry.what, entry.outcome, entry.clientIp ?? "-"], "\(row)")
                let shown = String(row.utf16.dropFirst(detailColumn)) ?? ""
                let full = entry.detail ?? ""
                #expect(shown == full, "\(row)")
                if entry.what == "mail", entry.outcome == "sent", let reply = accepted.map(\.reply).first(where: { full.contains($0) }) {
                    #expect(shown.contains(reply), "\(row)")
                }
                if entry.what == "mail", entry.outcome == "failed" { refusedRow = shown }
            }
        }
        #expect(refusedRow.contains("RCPT TO:<\(Self.refused)>") && refusedRow.contains(LoopbackSMTPServer.refusal(of: Self.refused)), "\(refusedRow)")
    }
}
