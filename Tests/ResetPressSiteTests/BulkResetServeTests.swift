import Foundation
import ResetPressTestSupport
import Testing

/// "After a breach" through `resetpress serve` (issue 15, item 2): `reset send --all
/// --expire-passwords` for 2,000 users while the server runs; its sender writes one .eml per user,
/// a rerun of the same run id sends none, and the old passwords no longer check.
@Suite struct BulkResetServeTests {
    static let environment = ["RESETPRESS_USERS__PASSWORD_HASH_COST": "4"]
    static let userCount = 2_000

    /// The user's email and password in the generated CSV.
    static func email(_ index: Int) -> String { "user\(index)@example.org" }
    static func password(_ index: Int) -> String { "old-secret-\(index)-breached" }

    /// The `To:` address of each delivered mail.
    static func recipients(_ folder: SiteFolder) throws -> [String] {
        try folder.deliveredMail(in: "var/mail").compactMap { mail in
            mail.split(whereSeparator: \.isNewline).first { $0.hasPrefix("To:") }.map { line in
                let field = line.dropFirst(3)
                let address = field.split(separator: "<").last.map { $0.prefix { $0 != ">" } } ?? field
                return address.trimmingCharacters(in: .whitespaces).lowercased()
            }
        }
    }

    /// Runs the CLI against the site and returns its status and output.
    static func cli(_ folder: SiteFolder, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let data = folder.root.appendingPathComponent("var")
        return try ServerProcess.command(arguments + ["--root", folder.root.path, "--data-dir", data.path], environment: environment)
    }

    @Test(.timeLimit(.minutes(2))) func everyUserGetsOneMailAndARerunNone() async throws {
        let folder = try SiteFolder()
        let csv = folder.root.appendingPathComponent("users.csv")
        let rows = (0..<Self.userCount).map { "user\($0),\(Self.email($0)),\(Self.password($0))" }
        try (["login,email,password"] + rows).joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        let imported = try Self.cli(folder, ["users", "import", csv.path])
        #expect(imported.status == 0, "\(imported.output)")
        let samples = [0, 777, Self.userCount - 1]
        for index in samples {
            #expect(try Self.cli(folder, ["users", "check-password", Self.email(index), "--password", Self.password(index)]).status == 0)
        }

        let data = folder.root.appendingPathComponent("var")
        let server = try await ServerProcess(root: folder.root, dataDirectory: data, environment: Self.environment)
        defer { server.stop() }
        let first = try Self.cli(folder, ["reset", "send", "--all", "--expire-passwords", "--run", "breach-1", "--batch-size", "250"])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("Run id: breach-1"))
        #expect(first.output.contains("\(Self.userCount) reset mails queued, 0 already sent"))

        var recipients: [String] = []
        for _ in 0..<300 where recipients.count < Self.userCount {
            try await Task.sleep(for: .milliseconds(100))
            recipients = try Self.recipients(folder)
        }
        #expect(recipients.count == Self.userCount)
        let missing = Set((0..<Self.userCount).map(Self.email)).subtracting(recipients)
        #expect(missing.isEmpty, "\(missing.count) users got no mail, e.g. \(missing.sorted().prefix(3))")

        let rerun = try Self.cli(folder, ["reset", "send", "--all", "--expire-passwords", "--run", "breach-1"])
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(rerun.output.contains("0 reset mails queued, \(Self.userCount) already sent"))
        // The rerun's own mails are in the outbox when it exits, so the queue's counts say now whether it queued any.
        let queue = try Self.cli(folder, ["mail", "queue", "--limit", "1"])
        #expect(queue.output.contains("queued 0, sending 0, sent \(Self.userCount), failed 0"), "\(queue.output)")
        #expect(try Self.recipients(folder).count == Self.userCount)

        for index in samples {
            #expect(try Self.cli(folder, ["users", "check-password", Self.email(index), "--password", Self.password(index)]).status == 1)
        }
        let mail = try #require(try folder.deliveredMail(in: "var/mail").first)
        #expect(mail.contains("/_resetpassword?"))
        #expect(!server.output.contains("old-secret-"))
        #expect(server.stop() == 0)
    }

    @Test func anEmailListOrADateChoosesTheUsersAndDrainDelivers() async throws {
        let folder = try SiteFolder()
        let csv = folder.root.appendingPathComponent("users.csv")
        try (["login,email"] + (0..<20).map { "user\($0),\(Self.email($0))" }).joined(separator: "\n")
            .write(to: csv, atomically: true, encoding: .utf8)
        #expect(try Self.cli(folder, ["users", "import", csv.path]).status == 0)

        let old = try Self.cli(folder, ["reset", "send", "--imported-before", "2001-01-01", "--drain"])
        #expect(old.status == 0, "\(old.output)")
        #expect(old.output.contains("0 reset mails queued"))
        #expect(old.output.contains("20 created on or after the date"))
        #expect(try Self.recipients(folder).isEmpty)

        let list = folder.root.appendingPathComponent("emails.txt")
        try "# breached\n\(Self.email(3))\n  \(Self.email(7).uppercased())\n\nnobody@example.org\n".write(to: list, atomically: true, encoding: .utf8)
        let listed = try Self.cli(folder, ["reset", "send", "--emails", list.path, "--drain", "--run", "list-1"])
        #expect(listed.status == 0, "\(listed.output)")
        #expect(listed.output.contains("2 reset mails queued, 0 already sent"))
        #expect(listed.output.contains("1 emails matching no user"))
        #expect(listed.output.contains("Outbox drained: 2 sent, 0 failed."))
        #expect(Set(try Self.recipients(folder)) == [Self.email(3), Self.email(7)])
        #expect(try Self.recipients(folder).count == 2)

        let single = try Self.cli(folder, ["reset", "send", Self.email(5)])
        #expect(single.status == 0, "\(single.output)")
        #expect(single.output.contains("Reset link for \(Self.email(5)) queued; outbox drained: 1 sent"))
    }

    @Test func bulkOptionsAreCrossChecked() throws {
        let folder = try SiteFolder()
        let both = try Self.cli(folder, ["reset", "send", "ann@example.org", "--all"])
        #expect(both.status != 0)
        #expect(both.output.contains("Give one EMAIL, or --all"))
        let neither = try Self.cli(folder, ["reset", "send", "--expire-passwords"])
        #expect(neither.status != 0)
        let twoSelections = try Self.cli(folder, ["reset", "send", "--all", "--imported-before", "2026-01-01"])
        #expect(twoSelections.output.contains("Give one of --all"))
        let badDate = try Self.cli(folder, ["reset", "send", "--imported-before", "yesterday"])
        #expect(badDate.output.contains("--imported-before takes"))
        let keyed = try Self.cli(folder, ["reset", "send", "--all", "--subject", "Hi"])
        #expect(keyed.output.contains("go with one EMAIL"))
    }
}
