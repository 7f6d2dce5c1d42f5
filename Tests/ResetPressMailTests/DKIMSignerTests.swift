import Foundation
import ResetPressTestSupport
import Testing
@testable import ResetPressMail

/// ``DKIMSigner``'s loading errors and the shape of the field it adds (dkimpy checks the signatures themselves in
/// `ResetPressMailDeliveryTests`).
@Suite struct DKIMSignerTests {
    private static let required = ["from", "to", "subject", "date", "message-id", "mime-version", "content-type", "auto-submitted"]

    @Test func signingPrependsOneFoldedFieldAndKeepsTheMessage() throws {
        let key = try OpenSSLKey.shared()
        let signer = try DKIMSigner(domain: "Example.COM", selector: "mail2025", privateKeyPEM: key.privatePEM)
        let raw = Fixtures.render(try Fixtures.message(subject: String(repeating: "Long subject ", count: 12), html: "<p>Hi</p>"))
        let signed = try signer.sign(raw, time: Fixtures.date)
        #expect(signed.hasPrefix("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;\r\n s=mail2025;"))
        let field = try #require(signed.components(separatedBy: "\r\nDate: ").first)
        #expect(signed == field + "\r\n" + raw)
        for line in field.components(separatedBy: "\r\n") {
            #expect(line.count <= 78, "line too long: \(line)")
        }
        let tags = Self.tags(field)
        #expect(tags["t"] == "1748959509")
        let names = try #require(tags["h"]).split(separator: ":").map(String.init)
        for name in Self.required {
            // Each present header is over-signed: listed once more than it occurs.
            #expect(names.filter { $0 == name }.count == 2, "\(name) in \(names)")
        }
        #expect(names.filter { $0 == "reply-to" }.count == 1)
        #expect(try #require(tags["b"]).count == 344)
        #expect(try signer.sign(raw, time: Fixtures.date) == signed)
        #expect(try signer.sign(raw, time: nil) != signed)
    }

    @Test func theDNSRecordHoldsThePublicKeyAsOpenSSLWritesIt() throws {
        let key = try OpenSSLKey.shared()
        let signer = try DKIMSigner(domain: "example.com", selector: "s1", privateKeyPEM: key.privatePEM)
        #expect(signer.dnsName == "s1._domainkey.example.com")
        #expect(signer.dnsRecord == "v=DKIM1; k=rsa; p=" + key.publicKeyBase64)
        // The traditional (PKCS#1) PEM form of the same key loads too.
        let traditional = try DKIMSigner(domain: "example.com", selector: "s1", privateKeyPEM: key.pkcs1PEM)
        #expect(traditional.dnsRecord == signer.dnsRecord)
    }

    @Test func loadIsOffWithoutADomainAndNamesTheSettingToFix() throws {
        #expect(try DKIMSigner.load(domain: " ", selector: "", privateKeyFile: "") == nil)
        #expect(throws: DKIMError.missingKeyFile) { try DKIMSigner.load(domain: "example.com", selector: "s", privateKeyFile: "") }
        let missing = "/nonexistent/dkim-\(UUID().uuidString).pem"
        let error = #expect(throws: DKIMError.self) { try DKIMSigner.load(domain: "example.com", selector: "s", privateKeyFile: missing) }
        guard case .unreadableKeyFile(let path, _) = error else { Issue.record("unexpected \(String(describing: error))"); return }
        #expect(path == missing)
        #expect(error?.description.contains("mail.dkim.private_key_file") == true)

        let key = try OpenSSLKey.shared()
        let loaded = try #require(try DKIMSigner.load(domain: " example.com\n", selector: "s1\n", privateKeyFile: key.privateFile.path))
        #expect(loaded.domain == "example.com" && loaded.selector == "s1")
    }

    @Test func badKeysAreRefusedWithTheirSource() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dkim-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ec = folder.appendingPathComponent("ec.pem")
        try OpenSSLKey.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ec.path])
        let small = folder.appendingPathComponent("small.pem")
        try OpenSSLKey.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", small.path])
        let garbage = folder.appendingPathComponent("garbage.pem")
        try Data("not a key\n".utf8).write(to: garbage)
        for file in [ec, small, garbage] {
            let error = #expect(throws: DKIMError.self) { try DKIMSigner.load(domain: "example.com", selector: "s", privateKeyFile: file.path) }
            guard case .invalidKey(let source, _) = error else { Issue.record("\(file.lastPathComponent): \(String(describing: error))"); continue }
            #expect(source == file.path)
            #expect(error?.description.contains("openssl genpkey") == true)
        }
    }

    @Test(arguments: ["", "example", "exa mple.com", "bücher.example", "-x.example.com", "a..b", "a.b;c=d"])
    func badDomainsAreRefused(domain: String) throws {
        let key = try OpenSSLKey.shared()
        #expect(throws: DKIMError.invalidDomain(domain)) { try DKIMSigner(domain: domain, selector: "s", privateKeyPEM: key.privatePEM) }
    }

    @Test(arguments: ["", "a b", "s;", "-s", "s."])
    func badSelectorsAreRefused(selector: String) throws {
        let key = try OpenSSLKey.shared()
        #expect(throws: DKIMError.invalidSelector(selector)) { try DKIMSigner(domain: "example.com", selector: selector, privateKeyPEM: key.privatePEM) }
    }

    @Test func everyMessageSaysAutoSubmittedAndNeverListUnsubscribe() throws {
        for message in [try Fixtures.message(), try Fixtures.message(text: "", html: "<p>Code <b>1</b></p>")] {
            let raw = Fixtures.render(message)
            let headers = Fixtures.headerLines(raw)
            #expect(headers.filter { $0 == "Auto-Submitted: auto-generated" }.count == 1)
            #expect(!raw.lowercased().contains("list-unsubscribe"))
            let parsed = try PythonEmailParser.parse(raw)
            #expect(parsed.headerNames.filter { $0 == "auto-submitted" }.count == 1)
            #expect(parsed.defects.isEmpty)
        }
    }

    /// The tag list of a `DKIM-Signature` field, whitespace removed from the values.
    private static func tags(_ field: String) -> [String: String] {
        let value = field.dropFirst("DKIM-Signature:".count).filter { !$0.isWhitespace }
        var tags: [String: String] = [:]
        for pair in value.split(separator: ";") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            tags[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return tags
    }
}
