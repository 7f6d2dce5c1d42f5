import Foundation
import ResetPressTestSupport

/// A throwaway CA and a server certificate it signed for `127.0.0.1` and `localhost`, made with `openssl`.
struct TestCertificates: Sendable {
    let caCertificate: URL
    let serverCertificate: URL
    let serverKey: URL

    /// Certificates made once per test run and shared by every test.
    static let shared = Task<TestCertificates, any Error> {
        let directory = try TemporaryDirectory("tls").url
        return try await make(in: directory)
    }

    /// Makes a CA (P-256, one day) and a server certificate signed by it in `directory`.
    static func make(in directory: URL) async throws -> TestCertificates {
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let extensions = """
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature
        extendedKeyUsage = serverAuth
        subjectAltName = IP:127.0.0.1, DNS:localhost

        """
        try Data(extensions.utf8).write(to: directory.appendingPathComponent("server.ext"))
        try await openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "1", "-subj", "/CN=ResetPress Test CA",
        ])
        try await openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=localhost",
        ])
        try await openssl([
            "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
            "-CAcreateserial", "-out", path("server.pem"), "-days", "1", "-extfile", path("server.ext"),
        ])
        return TestCertificates(
            caCertificate: directory.appendingPathComponent("ca.pem"),
            serverCertificate: directory.appendingPathComponent("server.pem"),
            serverKey: directory.appendingPathComponent("server.key"))
    }

    private static func openssl(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try withSpawnLock { try process.run() }
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else {
            throw TestProcess.Failure(description: "openssl \(arguments.prefix(2).joined(separator: " ")) exited \(status)")
        }
    }
}
