import Foundation

/// A 2048-bit RSA key made by the `openssl` command, so the tests' key does not come from the code under test.
public struct OpenSSLKey: Sendable {
    /// Why `openssl` failed: the command and what it printed.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The key file (PKCS#8 PEM, `BEGIN PRIVATE KEY`).
    public let privateFile: URL
    /// The file's text.
    public let privatePEM: String
    /// The same key in the traditional PKCS#1 form (`BEGIN RSA PRIVATE KEY`).
    public let pkcs1PEM: String
    /// The public key as DER SubjectPublicKeyInfo in base64: the `p=` of a DKIM DNS record.
    public let publicKeyBase64: String

    private static let made: Result<OpenSSLKey, any Error> = Result { try make() }

    /// One key for the whole test run (making one takes a moment).
    public static func shared() throws -> OpenSSLKey {
        try made.get()
    }

    /// Makes a key under a fresh temporary folder.
    public static func make() throws -> OpenSSLKey {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dkim-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("dkim.pem")
        try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file.path])
        let pkcs1 = try openssl(["rsa", "-in", file.path, "-traditional"])
        let publicDER = try openssl(["pkey", "-in", file.path, "-pubout", "-outform", "DER"])
        return OpenSSLKey(
            privateFile: file, privatePEM: try String(contentsOf: file, encoding: .utf8),
            pkcs1PEM: String(decoding: pkcs1, as: UTF8.self), publicKeyBase64: publicDER.base64EncodedString())
    }

    /// Runs `openssl arguments...` and returns its standard output; throws with its standard error on failure.
    @discardableResult
    public static func openssl(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let (output, errors) = try withSpawnLock {
            let output = Pipe()
            let errors = Pipe()
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            return (output, errors)
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(errorText)")
        }
        return data
    }
}
