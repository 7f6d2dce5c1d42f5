import Foundation
import ResetPressTestSupport
import Testing

/// `storage backup` and `storage restore` (issue 22): a backup taken while requests pour in, restored
/// into a new site, holds a working code for every request acknowledged before the backup began.
@Suite struct BackupServeTests {
    static let reset = ResetLoad.path
    static let environment = ["RESETPRESS_USERS__PASSWORD_HASH_COST": "4", "RESETPRESS_RESET_PASSWORD__IP_LIMIT_PER_MINUTE": "0"]
    static let userCount = 80

    private static func command(_ folder: SiteFolder, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try ServerProcess.command(
            arguments + ["--root", folder.root.path, "--data-dir", folder.root.appendingPathComponent("var").path], environment: environment)
    }

    private static func email(_ index: Int) -> String { "user\(index)@example.org" }

    @Test(.timeLimit(.minutes(3))) func aBackupUnderLoadRestoresEveryAcknowledgedCode() async throws {
        let old = try SiteFolder()
        let csv = try old.usersCSV(count: Self.userCount, email: Self.email)
        #expect(try Self.command(old, ["users", "import", csv.path]).status == 0)
        let server = try await ServerProcess(root: old.root, dataDirectory: old.root.appendingPathComponent("var"), environment: Self.environment)
        defer { server.stop() }

        // Four clients post one request per user; the backup starts once a third are acknowledged.
        let load = ResetLoad()
        let posting = load.start(server, userCount: Self.userCount, email: Self.email)
        let beforeBackup = try await load.acknowledged(atLeast: Self.userCount / 3)
        let backup = old.root.appendingPathComponent("backup.sqlite")
        let written = try Self.command(old, ["storage", "backup", backup.path])
        #expect(written.status == 0 && written.output.contains("integrity_check: ok"), "\(written.output)")
        try await posting.value
        #expect(beforeBackup.count >= Self.userCount / 3 && beforeBackup.count < Self.userCount, "the backup did not overlap the load")

        // Every mail of the old site, for its codes.
        var mail: [String] = []
        for _ in 0..<600 where mail.count < Self.userCount {
            mail = try old.deliveredMail(in: "var/mail")
            if mail.count < Self.userCount { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(mail.count == Self.userCount)
        #expect(server.stop() == 0)

        // A new site with the old site's secret.key, restored from the backup.
        let new = try SiteFolder()
        let data = new.root.appendingPathComponent("var")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.copyItem(
            at: old.root.appendingPathComponent("var/secret.key"), to: data.appendingPathComponent("secret.key"))
        let restored = try Self.command(new, ["storage", "restore", backup.path])
        #expect(restored.status == 0 && restored.output.contains("integrity_check: ok"), "\(restored.output)")
        let restarted = try await ServerProcess(root: new.root, dataDirectory: data, environment: Self.environment)
        defer { restarted.stop() }
        for index in beforeBackup.sorted() {
            let text = try #require(mail.first { $0.contains("To: \(Self.email(index))") || $0.contains("<\(Self.email(index))>") })
            let code = try #require(SiteFolder.code(after: "Your reset code is: ", in: text))
            let change = try await restarted.send("PUT", Self.reset, json: ["email": Self.email(index), "code": code, "new_password": "restored-and-changed"])
            #expect(change.status == 200, "user\(index): \(change.body)")
        }
        #expect(restarted.stop() == 0)
    }

    @Test func restoreRefusesWhileAServerRunsAndACopyOfAnotherSecret() async throws {
        let site = try SiteFolder()
        let data = site.root.appendingPathComponent("var")
        #expect(try Self.command(site, ["users", "add", "--login", "ann", "--email", "ann@example.org"]).status == 0)
        let backup = site.root.appendingPathComponent("backup.sqlite")
        #expect(try Self.command(site, ["storage", "backup", backup.path]).status == 0)

        let server = try await ServerProcess(root: site.root, dataDirectory: data, environment: Self.environment)
        let busy = try Self.command(site, ["storage", "restore", backup.path])
        #expect(busy.status == 1 && busy.output.contains("stop it, then restore"), "\(busy.output)")
        #expect(server.stop() == 0)

        let other = try SiteFolder()
        #expect(try Self.command(other, ["users", "add", "--login", "bob", "--email", "bob@example.org"]).status == 0)
        let foreign = try Self.command(other, ["storage", "restore", backup.path])
        #expect(foreign.status == 1 && foreign.output.contains("was made by a site with another install secret"), "\(foreign.output)")
        let list = try Self.command(other, ["users", "list"])
        #expect(list.output.contains("bob@example.org") && !list.output.contains("ann@example.org"), "nothing was replaced")

        try Data("not a database, just bytes".utf8).write(to: site.root.appendingPathComponent("broken.sqlite"))
        let broken = try Self.command(site, ["storage", "restore", site.root.appendingPathComponent("broken.sqlite").path])
        #expect(broken.status == 1, "\(broken.output)")
        #expect(try Self.command(site, ["users", "list"]).output.contains("ann@example.org"))
    }
}
