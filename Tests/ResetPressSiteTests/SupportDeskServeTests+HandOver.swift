import Foundation
import ResetPressTestSupport
import Testing

extension SupportDeskServeTests {
    static let firstPassword = "handed-over-password-1"

    /// A link made through the admin API works once through the reset form and is refused the second time; a
    /// second one is refused after its minute; neither token is left anywhere but in the API's answer.
    func checkHandOverLinks(_ site: SupportDeskSite, before: SupportDeskSite.Stats) async throws {
        let added = try site.command(["admin", "tokens", "add", "--name", "desk", "--scope", "users,read"])
        let bearer = try #require(added.output.split(separator: "\n").first { $0.hasPrefix("rpt_") }.map(String.init), "\(added.output)")
        let annID = try site.timeline("ann").user.id
        let handOver = { () async throws -> (token: String, expiresAt: Date) in
            let answer = try await site.server.send("POST", "/admin/api/users/\(annID)/handover", headers: ["Authorization": "Bearer \(bearer)"])
            #expect(answer.status == 200, "\(answer.body)")
            let envelope = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
            let data = try #require(envelope["data"] as? [String: Any], "\(answer.body)")
            let link = try #require(data["link"] as? String)
            let token = try #require(link.components(separatedBy: "/_resetpassword?code=").last)
            let expiresAt = try #require((data["expires_at"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
            return (token, expiresAt)
        }
        let form = { (token: String, password: String) in [("code", token), ("new_password", password), ("confirm_password", password)] }

        // The user opens the first link and posts the form; the same post again is refused.
        let first = try await handOver()
        let page = try await site.send("GET", "/_resetpassword?code=\(first.token)")
        #expect(page.status == 200 && page.body.contains("Choose a new password"), "\(page.body)")
        let used = try await site.send("POST", "/_resetpassword", form: form(first.token, Self.firstPassword))
        #expect(used.status == 200 && used.body.contains("Your password was changed"), "\(used.body)")
        let again = try await site.send("POST", "/_resetpassword", form: form(first.token, "handed-over-password-2"))
        #expect(again.status == 400 && again.body.contains("This link no longer works"), "\(again.status) \(again.body)")
        #expect(try site.command(["users", "check-password", "ann@example.org", "--password", Self.firstPassword]).status == 0)
        #expect(try site.command(["users", "check-password", "ann@example.org", "--password", "handed-over-password-2"]).status == 1)

        // A second link: its page shows the form while its minute lasts.
        let second = try await handOver()
        #expect((50...61).contains(second.expiresAt.timeIntervalSinceNow), "valid one minute: \(second.expiresAt)")
        let fresh = try await site.send("GET", "/_resetpassword?code=\(second.token)")
        #expect(fresh.status == 200 && fresh.body.contains("Choose a new password"), "\(fresh.body)")
        let ann = try await site.eventually("ann's changed notice sent") {
            let timeline = try site.timeline("ann")
            return timeline.entries.contains { $0.what == "mail" && $0.outcome != "sent" } ? nil : timeline
        }
        #expect(ann.summary == [
            "support: a hand-over link was made", "mail: sent", "password: changed: the code was used", "support: a hand-over link was made",
            "request: throttled: asked again too soon", "mail: sent", "request: issued",
        ])
        let notice = try #require(try site.smtp.received().first { $0.rcpt == ["ann@example.org"] && $0.subject == Self.changedSubject })
        #expect(ann.detail(1).hasPrefix("\(Self.changedSubject) — \(notice.reply) at "), "\(ann.detail(1))")

        // Past its minute the page says the link no longer works and the form's post is refused.
        let wait = second.expiresAt.timeIntervalSinceNow + 1.5
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        let late = try await site.send("GET", "/_resetpassword?code=\(second.token)")
        #expect(late.status == 200 && late.body.contains("This link no longer works"), "\(late.body)")
        let refused = try await site.send("POST", "/_resetpassword", form: form(second.token, "too-late-password-3"))
        #expect(refused.status == 400 && refused.body.contains("This link no longer works"), "\(refused.status) \(refused.body)")
        #expect(try site.command(["users", "check-password", "ann@example.org", "--password", Self.firstPassword]).status == 0)

        let after = try await site.eventually("ann's notice counted") { () -> SupportDeskSite.Stats? in
            let stats = try site.stats()
            return stats.queue["sent"] == 4 ? stats : nil
        }
        var expected = before.counts
        expected["handover", default: 0] += 2
        expected["completed", default: 0] += 1
        expected["mail_sent", default: 0] += 1
        expected["wrong_code", default: 0] += 1  // the first link posted again: no code has it now, so no user either
        expected["expired", default: 0] += 1
        #expect(after.counts == expected, "before: \(before.counts)")
        let final = try site.timeline("ann")
        #expect(final.summary.first == "code: expired: tried after its time" && final.entries.first?.clientIp == "127.0.0.1", "\(final.summary)")
        #expect(Array(final.summary.dropFirst()) == ann.summary, "\(final.summary)")

        let audit = try site.command(["audit", "--json"])
        #expect(audit.output.components(separatedBy: "\"user.handover_link\"").count - 1 == 2, "\(audit.output)")
        try scan(site, for: [first.token, second.token], audit: audit.output)
        #expect(site.server.stop() == 0)
        for token in [first.token, second.token] {
            #expect(SupportDeskSite.files(under: site.data, containing: token).isEmpty, "after the stop: the data folder")
            #expect(!site.server.output.contains(token), "after the stop: the log")
        }
    }

    /// No byte of the data folder, the log, any mail aiosmtpd took, any hook's input, the events or the audit trail
    /// holds a token, nor its first or last 16 characters (a token cut short in a log line).
    private func scan(_ site: SupportDeskSite, for tokens: [String], audit: String) throws {
        let hookInput = try String(contentsOf: site.hookInput, encoding: .utf8)
        // The scan reads what it should: it finds what is there (the address in the database and in the hooks' input).
        #expect(SupportDeskSite.files(under: site.data, containing: "ann@example.org").contains { $0.hasPrefix("resetpress.sqlite") })
        #expect(hookInput.contains("ann@example.org"))
        let events = try ["ann", Self.refused, "cy"].map { try site.command(["users", "show", $0, "--json"]).output }
            + [try site.command(["stats", "--json"]).output]
        for needle in tokens.flatMap({ [$0, String($0.prefix(16)), String($0.suffix(16))] }) {
            #expect(SupportDeskSite.files(under: site.data, containing: needle).isEmpty, "the data folder holds \(needle)")
            #expect(SupportDeskSite.files(under: site.smtp.directory, containing: needle).isEmpty, "a mail holds \(needle)")
            #expect(!site.server.output.contains(needle), "the log holds \(needle)")
            #expect(!hookInput.contains(needle), "a hook's input holds \(needle)")
            #expect(!events.contains { $0.contains(needle) }, "an event holds \(needle)")
            #expect(!audit.contains(needle), "the audit trail holds \(needle)")
        }
        #expect(!hookInput.contains(Self.firstPassword) && !hookInput.contains("cy-chose-this-one"), "a hook saw a password")

        // The hooks did run, each handing its value back, for the requests and for the link's use.
        #expect(!site.server.output.contains("hook skipped"), "\(site.server.output)")
        let inputs = hookInput.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let seen = Set(inputs.compactMap { $0["hook"] as? String })
        for hook in ["allow_password_reset", "reset_password_mail", "reset_password_request", "password_reset", "resetpress_event"] {
            #expect(seen.contains(hook), "no input for \(hook): \(seen.sorted())")
        }
        #expect(inputs.contains { $0["hook"] as? String == "password_reset" && ($0["context"] as? [String: Any])?["path"] as? String == "/_resetpassword" },
                "no hook saw the link's use")
    }
}
