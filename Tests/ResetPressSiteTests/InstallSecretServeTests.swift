import Foundation
import ResetPressTestSupport
import Testing

/// Keys that agree (issue 22): a server or CLI whose install secret is not the one the database works
/// with refuses to start, naming the file to copy; the secret may come from RESETPRESS_SECRET_FILE.
@Suite struct InstallSecretServeTests {
    static let environment = ["RESETPRESS_USERS__PASSWORD_HASH_COST": "4"]

    private static func command(_ folder: SiteFolder, _ arguments: [String], environment: [String: String] = environment) throws -> (status: Int32, output: String) {
        try ServerProcess.command(
            arguments + ["--root", folder.root.path, "--data-dir", folder.root.appendingPathComponent("var").path], environment: environment)
    }

    @Test func anotherSecretKeyRefusesTheStartAndTheRightOneComesBack() async throws {
        let folder = try SiteFolder()
        let data = folder.root.appendingPathComponent("var")
        let added = try Self.command(folder, ["users", "add", "--login", "ann", "--email", "ann@example.org", "--password", "old-password-1"])
        #expect(added.status == 0, "\(added.output)")
        let keyFile = data.appendingPathComponent("secret.key")
        let original = try Data(contentsOf: keyFile)
        let mounted = folder.root.appendingPathComponent("mounted-secret")
        try original.write(to: mounted)

        // The step an owner forgets: this node got a secret of its own.
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: keyFile)
        let refused = try Self.command(folder, ["users", "list"])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains("the install secret \(keyFile.path) is not the one the storage"), "\(refused.output)")
        #expect(refused.output.contains("copy secret.key from the data folder of a server already using this database"))
        #expect(!refused.output.contains("ann@example.org"))
        do {
            let server = try await ServerProcess(root: folder.root, dataDirectory: data, environment: Self.environment)
            server.stop()
            Issue.record("serve started with another secret")
        } catch ServerProcess.ServerError.didNotStart(let log) {
            #expect(log.contains("is not the one the storage"), "\(log)")
        }

        // A platform-mounted secret, named by RESETPRESS_SECRET_FILE: the right one, so it starts.
        let viaFile = try Self.command(
            folder, ["users", "list"], environment: Self.environment.merging(["RESETPRESS_SECRET_FILE": mounted.path]) { $1 })
        #expect(viaFile.status == 0 && viaFile.output.contains("ann@example.org"), "\(viaFile.output)")
        // The owner copies the right file back.
        try original.write(to: keyFile)
        let fixed = try Self.command(folder, ["users", "list"])
        #expect(fixed.status == 0 && fixed.output.contains("ann@example.org"), "\(fixed.output)")
    }

    @Test func aMissingSecretFileIsNamedAndNothingIsCreated() throws {
        let folder = try SiteFolder()
        let missing = folder.root.appendingPathComponent("run/secrets/resetpress")
        let refused = try Self.command(
            folder, ["users", "list"], environment: Self.environment.merging(["RESETPRESS_SECRET_FILE": missing.path]) { $1 })
        #expect(refused.status == 1)
        #expect(refused.output.contains("RESETPRESS_SECRET_FILE names \(missing.path)"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: missing.path))
        #expect(!FileManager.default.fileExists(atPath: folder.root.appendingPathComponent("var/secret.key").path))
    }
}
