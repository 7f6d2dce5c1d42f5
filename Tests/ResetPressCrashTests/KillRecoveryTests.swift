import Foundation
import ResetPressStorage
import ResetPressUsers
import ResetPressTestSupport
import Testing

/// A 200 means the code and its mail are on disk: SIGKILL right after the answer loses neither.
@Suite(.serialized) struct KillRecoveryTests {
    static let repositoryRoot = Repository.root

    let root: URL
    let data: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-kill-\(UUID().uuidString)")
        data = root.appendingPathComponent("var")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for folder in ["settings", "templates"] {
            try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent(folder), to: root.appendingPathComponent(folder))
        }
    }

    /// The code in the newest `.eml` under `var/mail` addressed to `email`, if delivered.
    func deliveredCode(to email: String) throws -> String? {
        let folder = data.appendingPathComponent("mail")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return nil }
        for name in names.sorted().reversed() where name.hasSuffix(".eml") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            guard text.contains(email), let range = text.range(of: "Your reset code is: ") else { continue }
            return String(text[range.upperBound...].prefix { $0.isLetter || $0.isNumber })
        }
        return nil
    }

    @Test func codeAndMailSurviveSIGKILLRightAfterThe200() async throws {
        let environment = ["RESETPRESS_USERS__PASSWORD_HASH_COST": "4", "RESETPRESS_RESET_PASSWORD__THROTTLE_SECONDS": "0"]
        let users = try SQLiteDatabase(dataDirectory: data).users
        let hasher = PasswordHasher(maxConcurrent: 1)
        for index in 0..<3 {
            _ = try await users.add(
                NewUser(login: "user\(index)", email: "user\(index)@example.org", passwordHash: try await hasher.hash("old-password", cost: 4)),
                now: Date())
        }
        let path = "/simple-jwt-login/v1/user/reset_password"
        for index in 0..<3 {
            let email = "user\(index)@example.org"
            let server = try await ServerProcess(root: root, dataDirectory: data, environment: environment)
            let answer = try await server.send("POST", path, json: ["email": email])
            #expect(answer.status == 200)
            server.kill()

            let restarted = try await ServerProcess(root: root, dataDirectory: data, environment: environment)
            var code: String?
            for _ in 0..<100 where code == nil {
                code = try deliveredCode(to: email)
                if code == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            let delivered = try #require(code, "mail for \(email) never delivered after the restart:\n\(restarted.output)")
            let change = try await restarted.send("PUT", path, json: ["email": email, "code": delivered, "new_password": "after-the-crash"])
            #expect(change.status == 200, "\(change.body)")
            #expect(restarted.stop() == 0)
        }
        let database = try SQLiteDatabase(dataDirectory: data)
        #expect(try database.integrityCheck() == ["ok"])
        for index in 0..<3 {
            let user = try #require(try await database.users.user(byEmail: "user\(index)@example.org"))
            #expect(await hasher.verify("after-the-crash", against: user.passwordHash))
        }
    }
}
