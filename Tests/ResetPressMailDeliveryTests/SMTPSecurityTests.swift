import Foundation
import ResetPressDelivery
import ResetPressMail
import Testing

/// STARTTLS, implicit TLS and AUTH against a real aiosmtpd with a certificate made by the test.
@Suite struct SMTPSecurityTests {
    typealias Base = SMTPTransportTests

    @Test func startTLSWithTheTestCATrusted() async throws {
        let certificates = try await TestCertificates.shared.value
        var options = SMTPTestServer.Options()
        options.certificate = certificates
        try await Base.withServer(options) { server in
            let transport = Base.transport(server) {
                $0.security = .startTLS
                $0.caFile = certificates.caCertificate.path
            }
            _ = try await transport.send(try Base.message(subject: "Over TLS"), messageID: "<tls-1@example.com>", date: Date())
            _ = try await transport.send(try Base.message(subject: "Over TLS again"), messageID: "<tls-2@example.com>", date: Date())
            await transport.close()
            let received = try server.received()
            #expect(received.map(\.parsed.subject) == ["Over TLS", "Over TLS again"])
            #expect(received.allSatisfy { $0.tls })
            #expect(try server.connectionCount() == 1)
        }
    }

    @Test func startTLSIsRefusedWithoutTheTestCA() async throws {
        var options = SMTPTestServer.Options()
        options.certificate = try await TestCertificates.shared.value
        try await Base.withServer(options) { server in
            let transport = Base.transport(server) { $0.security = .startTLS }
            let error = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(try Base.message(), messageID: "<untrusted@example.com>", date: Date())
            }
            #expect(error?.permanent == false)
            #expect(error?.message.contains("TLS failed") == true)
            #expect(error?.message.uppercased().contains("CERTIFICATE") == true)
            let received = try server.received()
            #expect(received.isEmpty)
        }
    }

    @Test func startTLSIsRequiredWhenConfigured() async throws {
        try await Base.withServer { server in
            let transport = Base.transport(server) { $0.security = .startTLS }
            let error = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(try Base.message(), messageID: "<no-starttls@example.com>", date: Date())
            }
            #expect(error?.permanent == false)
            #expect(error?.message.contains("does not offer STARTTLS") == true)
            let received = try server.received()
            #expect(received.isEmpty)
        }
    }

    @Test func implicitTLSWithTheTestCATrusted() async throws {
        let certificates = try await TestCertificates.shared.value
        var options = SMTPTestServer.Options()
        options.certificate = certificates
        options.implicitTLS = true
        try await Base.withServer(options) { server in
            let transport = Base.transport(server) {
                $0.security = .tls
                $0.caFile = certificates.caCertificate.path
            }
            _ = try await transport.send(try Base.message(subject: "Implicit TLS"), messageID: "<tls-3@example.com>", date: Date())
            await transport.close()
            let mail = try #require(try server.received().first)
            #expect(mail.parsed.subject == "Implicit TLS")
            #expect(mail.tls)
        }
    }

    @Test func aMissingCAFileIsReported() async throws {
        var options = SMTPTestServer.Options()
        options.certificate = try await TestCertificates.shared.value
        try await Base.withServer(options) { server in
            let transport = Base.transport(server) {
                $0.security = .startTLS
                $0.caFile = "/nonexistent/ca.pem"
            }
            let error = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(try Base.message(), messageID: "<no-ca@example.com>", date: Date())
            }
            #expect(error?.permanent == false)
            #expect(error?.message.contains("cannot load the CA file /nonexistent/ca.pem") == true)
        }
    }

    @Test(arguments: ["PLAIN", "LOGIN"])
    func authenticatesWith(mechanism: String) async throws {
        var options = SMTPTestServer.Options()
        options.credentials = ("mailer", "s3cret pass wörd")
        options.authMechanisms = [mechanism]
        try await Base.withServer(options) { server in
            let transport = Base.transport(server) {
                $0.username = "mailer"
                $0.password = "s3cret pass wörd"
            }
            _ = try await transport.send(try Base.message(subject: "Authenticated"), messageID: "<auth@example.com>", date: Date())
            await transport.close()
            let mail = try #require(try server.received().first)
            #expect(mail.auth == mechanism)
            #expect(mail.parsed.subject == "Authenticated")
        }
    }

    @Test func authOverStartTLS() async throws {
        let certificates = try await TestCertificates.shared.value
        var options = SMTPTestServer.Options()
        options.certificate = certificates
        options.credentials = ("mailer", "secret")
        try await Base.withServer(options) { server in
            let transport = Base.transport(server) {
                $0.security = .startTLS
                $0.caFile = certificates.caCertificate.path
                $0.username = "mailer"
                $0.password = "secret"
            }
            _ = try await transport.send(try Base.message(), messageID: "<auth-tls@example.com>", date: Date())
            await transport.close()
            let mail = try #require(try server.received().first)
            #expect(mail.tls)
            #expect(mail.auth == "PLAIN")
        }
    }

    @Test func aWrongPasswordKeepsTheReplyAndIsTemporary() async throws {
        var options = SMTPTestServer.Options()
        options.credentials = ("mailer", "secret")
        try await Base.withServer(options) { server in
            let transport = Base.transport(server) {
                $0.username = "mailer"
                $0.password = "wrong"
            }
            let error = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(try Base.message(), messageID: "<bad-auth@example.com>", date: Date())
            }
            #expect(error?.permanent == false)
            #expect(error?.message.contains("AUTH PLAIN answered 535") == true)
            #expect(error?.message.contains("wrong") == false)
            let received = try server.received()
            #expect(received.isEmpty)
        }
    }

    @Test func mailWithoutAuthIsRefusedWhenTheServerRequiresIt() async throws {
        var options = SMTPTestServer.Options()
        options.credentials = ("mailer", "secret")
        try await Base.withServer(options) { server in
            let transport = Base.transport(server)
            let error = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(try Base.message(), messageID: "<no-auth@example.com>", date: Date())
            }
            #expect(error?.permanent == false)
            #expect(error?.message.contains("MAIL FROM:<no-reply@example.com> answered 530") == true)
        }
    }
}
