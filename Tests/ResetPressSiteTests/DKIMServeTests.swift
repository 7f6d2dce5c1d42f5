import Foundation
import ResetPressTestSupport
import Testing

/// DKIM end to end: `resetpress serve` with `mail.dkim.*` set signs the reset mail it writes, and
/// dkimpy (an independent verifier) accepts the file as delivered.
@Suite struct DKIMServeTests {
    @Test func theServedResetMailIsSignedAndVerifies() async throws {
        let folder = try SiteFolder()
        let key = try OpenSSLKey.shared()
        try key.privatePEM.write(to: folder.root.appendingPathComponent("dkim.pem"), atomically: true, encoding: .utf8)
        let data = folder.root.appendingPathComponent("var")
        _ = try ServerProcess.command(
            ["users", "add", "--login", "ann", "--email", "ann@example.org", "--root", folder.root.path, "--data-dir", data.path],
            environment: ["RESETPRESS_USERS__PASSWORD_HASH_COST": "4"])
        let server = try await ServerProcess(root: folder.root, dataDirectory: data, environment: [
            "RESETPRESS_USERS__PASSWORD_HASH_COST": "4", "RESETPRESS_MAIL__DKIM__DOMAIN": "example.org",
            "RESETPRESS_MAIL__DKIM__SELECTOR": "rp2026", "RESETPRESS_MAIL__DKIM__PRIVATE_KEY_FILE": "dkim.pem",
        ])
        defer { server.stop() }
        #expect(try await server.send("POST", "/simple-jwt-login/v1/user/reset_password", json: ["email": "ann@example.org"]).status == 200)

        let spool = data.appendingPathComponent("mail")
        var files: [String] = []
        for _ in 0..<100 where files.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            files = ((try? FileManager.default.contentsOfDirectory(atPath: spool.path)) ?? []).filter { $0.hasSuffix(".eml") }
        }
        let file = try #require(files.first)
        let bytes = try Data(contentsOf: spool.appendingPathComponent(file))
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=rp2026;"))
        let verdict = try await DKIMPy.verify(bytes, record: "v=DKIM1; k=rsa; p=\(key.publicKeyBase64)")
        #expect(verdict.ok, "\(verdict.log)")
        #expect(server.stop() == 0)
    }
}
