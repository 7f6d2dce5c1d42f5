import Foundation
import ResetPressTestSupport
import Testing

/// `secret rotate` and `promote` under load (issue 22): every code issued before the rotation still works after the
/// server restarts with the new key, every acknowledged request's mail is delivered, and a token
/// made before still signs in; `retire` waits while those codes live.
@Suite struct KeyRotationServeTests {
    static let reset = ResetLoad.path
    static let environment = ["RESETPRESS_USERS__PASSWORD_HASH_COST": "4", "RESETPRESS_RESET_PASSWORD__IP_LIMIT_PER_MINUTE": "0"]
    static let userCount = 60

    private static func command(_ folder: SiteFolder, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try ServerProcess.command(
            arguments + ["--root", folder.root.path, "--data-dir", folder.root.appendingPathComponent("var").path], environment: environment)
    }

    private static func email(_ index: Int) -> String { "user\(index)@example.org" }

    @Test(.timeLimit(.minutes(3))) func aRotationUnderLoadKeepsEveryCodeMailAndToken() async throws {
        let folder = try SiteFolder()
        let data = folder.root.appendingPathComponent("var")
        let csv = try folder.usersCSV(count: Self.userCount, email: Self.email)
        #expect(try Self.command(folder, ["users", "import", csv.path]).status == 0)
        let added = try Self.command(folder, ["admin", "tokens", "add", "--name", "ci", "--scope", "read"])
        let token = try #require(added.output.split(separator: "\n").first { $0.hasPrefix("rpt_") }.map(String.init), "\(added.output)")
        let server = try await ServerProcess(root: folder.root, dataDirectory: data, environment: Self.environment)
        defer { server.stop() }

        // Four clients post one request per user; the rotation runs once a third are acknowledged.
        let load = ResetLoad()
        let posting = load.start(server, userCount: Self.userCount, email: Self.email)
        let beforeRotation = try await load.acknowledged(atLeast: Self.userCount / 3)
        let staged = try Self.command(folder, ["secret", "rotate"])
        #expect(staged.status == 0 && staged.output.contains("Staged key"), "\(staged.output)")
        let promoted = try Self.command(folder, ["secret", "promote"])
        #expect(promoted.status == 0 && promoted.output.contains("is current"), "\(promoted.output)")
        try await posting.value
        #expect(beforeRotation.count >= Self.userCount / 3 && beforeRotation.count < Self.userCount, "the rotation did not overlap the load")
        #expect(load.count == Self.userCount)
        #expect(server.stop() == 0)

        // The restarted server has the new key first and the old one behind it.
        let restarted = try await ServerProcess(root: folder.root, dataDirectory: data, environment: Self.environment)
        defer { restarted.stop() }
        var mail: [String] = []
        for _ in 0..<600 where mail.count < Self.userCount {
            mail = try folder.deliveredMail(in: "var/mail")
            if mail.count < Self.userCount { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(mail.count == Self.userCount, "every acknowledged request's mail is delivered")
        for index in beforeRotation.sorted() {
            let text = try #require(mail.first { $0.contains("To: \(Self.email(index))") || $0.contains("<\(Self.email(index))>") })
            let code = try #require(SiteFolder.code(after: "Your reset code is: ", in: text))
            let change = try await restarted.send("PUT", Self.reset, json: ["email": Self.email(index), "code": code, "new_password": "rotated-and-changed"])
            #expect(change.status == 200, "user\(index): \(change.body)")
        }
        let read = try await restarted.send("GET", "/admin/api/settings", headers: ["Authorization": "Bearer \(token)"])
        #expect(read.status == 200, "a token made before the rotation: \(read.body)")

        let status = try Self.command(folder, ["secret", "status", "--json"])
        #expect(status.status == 0 && status.output.contains("\"previous\""), "\(status.output)")
        let retire = try Self.command(folder, ["secret", "retire"])
        #expect(retire.status == 1 && retire.output.contains("reset codes issued before the rotation"), "\(retire.output)")
        #expect(retire.output.contains("API tokens") && retire.output.contains("ci"), "\(retire.output)")
        #expect(restarted.stop() == 0)
    }
}
