import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ResetPressStorage
import ResetPressUsers
import ResetPressTestSupport
import Testing

/// A 200 means the code and its mail are on disk: SIGKILL while the mail is being sent loses neither.
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

    /// The code in the newest `.eml` under `folder` addressed to `email`, if delivered.
    func deliveredCode(to email: String, in folder: URL) throws -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return nil }
        for name in names.sorted().reversed() where name.hasSuffix(".eml") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            guard text.contains(email), let range = text.range(of: "Your reset code is: ") else { continue }
            return String(text[range.upperBound...].prefix { $0.isLetter || $0.isNumber })
        }
        return nil
    }

    /// A sendmail that reads the message, says it is sending (its pid in `inFlight/`), then waits
    /// for `gate` (30 s at most, then "try later", 75) before it delivers the message to `delivered/`.
    func gatedSendmail(gate: URL, inFlight: URL, delivered: URL) throws -> URL {
        try FileManager.default.createDirectory(at: inFlight, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: delivered, withIntermediateDirectories: true)
        return try ExecutableFile.write("""
            #!/bin/sh
            part="\(delivered.path)/.$$.part"
            cat > "$part"
            : > "\(inFlight.path)/$$"
            i=0
            while [ ! -e "\(gate.path)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
            [ -e "\(gate.path)" ] || exit 75
            mv "$part" "\(delivered.path)/$$.eml"
            rm -f "\(inFlight.path)/$$"
            """, to: root.appendingPathComponent("bin/gated-sendmail"))
    }

    /// SIGKILL while the mail is provably being sent: its outbox row is `sending` and its sendmail is
    /// blocked on a gate, so nothing was delivered at the kill. The restart must deliver it, and its code
    /// must change the password.
    @Test func codeAndMailSurviveSIGKILLWhileTheMailIsInFlight() async throws {
        let gate = root.appendingPathComponent("gate"), inFlight = root.appendingPathComponent("in-flight")
        let delivered = root.appendingPathComponent("delivered")
        let sendmail = try gatedSendmail(gate: gate, inFlight: inFlight, delivered: delivered)
        let environment = [
            "RESETPRESS_USERS__PASSWORD_HASH_COST": "4", "RESETPRESS_RESET_PASSWORD__THROTTLE_SECONDS": "0",
            "RESETPRESS_MAIL__TRANSPORT": "sendmail", "RESETPRESS_MAIL__SENDMAIL__PATH": sendmail.path,
        ]
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
            try? FileManager.default.removeItem(at: gate)
            #expect(try FileManager.default.contentsOfDirectory(atPath: inFlight.path).isEmpty)
            let server = try await ServerProcess(root: root, dataDirectory: data, environment: environment)
            let answer = try await server.send("POST", path, json: ["email": email])
            #expect(answer.status == 200)
            // Wait (bounded far above any stall) until the sender has handed the mail to sendmail.
            var senders: [String] = []
            for _ in 0..<600 where senders.isEmpty {
                senders = (try? FileManager.default.contentsOfDirectory(atPath: inFlight.path)) ?? []
                if senders.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            }
            let sender = try #require(senders.first.flatMap { Int32($0) }, "sendmail never started:\n\(server.output)")
            server.kill()
            kill(sender, SIGKILL)
            try FileManager.default.removeItem(at: inFlight.appendingPathComponent(String(sender)))

            // At the kill the mail was in flight: its row says `sending`, and nothing was delivered.
            let rows = try await SQLiteDatabase(dataDirectory: data).outbox.list(status: nil, limit: 50).filter { $0.recipients == [email] }
            #expect(rows.map(\.status) == [.sending], "\(rows.map(\.status))")
            #expect(try deliveredCode(to: email, in: delivered) == nil)

            #expect(FileManager.default.createFile(atPath: gate.path, contents: nil))
            let restarted = try await ServerProcess(root: root, dataDirectory: data, environment: environment)
            var code: String?
            for _ in 0..<600 where code == nil {
                code = try deliveredCode(to: email, in: delivered)
                if code == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            let recovered = try #require(code, "mail for \(email) never delivered after the restart:\n\(restarted.output)")
            let change = try await restarted.send("PUT", path, json: ["email": email, "code": recovered, "new_password": "after-the-crash"])
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
