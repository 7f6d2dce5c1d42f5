import Foundation
import ResetPressTestSupport
import Testing
@testable import ResetPressMail

@Suite struct FileMailTransportTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mail-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aBatchWritesEveryMessageInOrderAndNoTemporaryFiles() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("var/mail")
        let transport = FileMailTransport(directory: directory)
        let batch = try (0..<3).map { index in
            OutgoingMail(
                message: try Fixtures.message(subject: "Code \(index)", text: "Your code is \(index)", html: ""),
                messageID: "<batch-\(index)@example.com>", date: Fixtures.date.addingTimeInterval(Double(index)))
        }

        let outcomes = await transport.send(batch: batch)

        let paths = try outcomes.map { try $0.get().detail }
        #expect(paths.map { URL(fileURLWithPath: $0).lastPathComponent } == [
            "20250603T140509.000Z-batch-0_example.com.eml", "20250603T140510.000Z-batch-1_example.com.eml",
            "20250603T140511.000Z-batch-2_example.com.eml",
        ])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == paths.map { URL(fileURLWithPath: $0).lastPathComponent })
        for (index, path) in paths.enumerated() {
            #expect(try PythonEmailParser.parse(try String(contentsOfFile: path, encoding: .utf8)).subject == "Code \(index)")
        }
    }

    @Test func writesParseableEMLAndNoTemporaryFiles() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("var/mail")
        let transport = FileMailTransport(directory: directory)
        let message = try Fixtures.message(subject: "Réinitialisation ✓", text: "", html: "<p>Code <b>42</b></p>")

        let receipt = try await transport.send(message, messageID: Fixtures.messageID, date: Fixtures.date)

        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names == ["20250603T140509.000Z-0123456789abcdef_example.com.eml"])
        #expect(receipt.messageID == Fixtures.messageID)
        #expect(receipt.detail == directory.appendingPathComponent(names[0]).path)
        let raw = try String(contentsOfFile: receipt.detail, encoding: .utf8)
        #expect(raw == Fixtures.render(message).replacingBoundary(with: raw))
        let parsed = try PythonEmailParser.parse(raw)
        #expect(parsed.subject == "Réinitialisation ✓")
        #expect(parsed.content(of: "text/plain") == "Code 42\n")
        #expect(parsed.content(of: "text/html") == "<p>Code <b>42</b></p>\n")

        let fileMode = try FileManager.default.attributesOfItem(atPath: receipt.detail)[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        let directoryMode = try FileManager.default.attributesOfItem(atPath: directory.path)[.posixPermissions] as? Int
        #expect(directoryMode == 0o700)
    }

    @Test func sameMessageRewritesItsOwnFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let transport = FileMailTransport(directory: directory)
        let message = try Fixtures.message()
        let first = try transport.write(message, messageID: Fixtures.messageID, date: Fixtures.date)
        let second = try transport.write(message, messageID: Fixtures.messageID, date: Fixtures.date)
        let third = try transport.write(message, messageID: "<other@example.com>", date: Fixtures.date)
        #expect(first == second)
        #expect(third != first)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == [first.lastPathComponent, third.lastPathComponent].sorted())
    }

    @Test func concurrentWritesAllLand() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let transport = FileMailTransport(directory: directory)
        let message = try Fixtures.message()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    _ = try await transport.send(
                        message, messageID: MessageID.generate(domain: "example.com"), date: Fixtures.date
                    )
                }
            }
            try await group.waitForAll()
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names.count == 20)
        #expect(names.allSatisfy { $0.hasSuffix(".eml") && !$0.hasPrefix(".") })
    }

    @Test func unwritableDirectoryIsATemporaryError() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let blocker = root.appendingPathComponent("not-a-directory")
        try Data("x".utf8).write(to: blocker)
        let transport = FileMailTransport(directory: blocker.appendingPathComponent("mail"))
        let error = #expect(throws: MailDeliveryError.self) {
            try transport.write(try Fixtures.message(), messageID: Fixtures.messageID, date: Fixtures.date)
        }
        #expect(error?.permanent == false)
        #expect(error?.description.hasPrefix("temporary mail delivery failure: cannot create") == true)
    }

    @Test func fileNameIsSafe() {
        let name = FileMailTransport.fileName(messageID: "<../../etc/passwd@x y>", date: Date(timeIntervalSince1970: 0.25))
        #expect(name == "19700101T000000.250Z-.._.._etc_passwd_x_y.eml")
        // A non-ASCII scalar is one '_', and the id part stops at 120 characters.
        let long = FileMailTransport.fileName(messageID: "<é" + String(repeating: "a", count: 200) + "@x>", date: Date(timeIntervalSince1970: 0.25))
        #expect(long == "19700101T000000.250Z-_" + String(repeating: "a", count: 119) + ".eml")
    }
}

private extension String {
    /// `self` with its multipart boundary replaced by the one used in `other`, so two renders compare equal.
    func replacingBoundary(with other: String) -> String {
        let pattern = /=_ResetPress_[0-9a-f]{32}/
        guard let mine = firstMatch(of: pattern), let theirs = other.firstMatch(of: pattern) else { return self }
        return replacingOccurrences(of: String(mine.output), with: String(theirs.output))
    }
}
