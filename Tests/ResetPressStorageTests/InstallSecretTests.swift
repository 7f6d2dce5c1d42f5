import Foundation
import ResetPressStorage
import Synchronization
import Testing

/// The install key made on first start: one owner-only file, the same key for every process that
/// starts on the folder, and a file too short to be a key named, never replaced.
@Suite struct InstallSecretTests {
    private static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aNewKeyIsOneOwnerOnlyFileThatLoadsAgain() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let made = try InstallSecret.load(in: folder, environment: [:])
        let file = folder.appendingPathComponent(InstallSecret.fileName)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [InstallSecret.fileName])
        #expect(FileManager.default.contents(atPath: file.path)?.count == 32)
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int == 0o600)
        #expect(try InstallSecret.load(in: folder, environment: [:]).keyIDs == made.keyIDs)
    }

    /// Loads that race on a new folder (a server and a CLI command started together) must agree:
    /// one that went on with a key the file does not hold would seal mail no other can open.
    @Test func loadsStartingTogetherAgreeOnTheFilesKey() throws {
        for _ in 0..<20 {
            let folder = try Self.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let keys = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                let loaded = (try? InstallSecret.load(in: folder, environment: [:]))?.keyIDs.first ?? "failed"
                keys.withLock { $0.append(loaded) }
            }
            let onFile = try InstallSecret.load(in: folder, environment: [:]).keyIDs.first
            #expect(keys.withLock { $0 }.allSatisfy { $0 == onFile })
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [InstallSecret.fileName])
        }
    }

    /// What a damaged key file held may have sealed mail and hashed codes: it is named, never replaced.
    @Test func aFileTooShortToBeAKeyIsNamedAndKept() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(InstallSecret.fileName)
        try Data([1, 2, 3]).write(to: file)
        let refusal = #expect(throws: CocoaError.self) { try InstallSecret.load(in: folder, environment: [:]) }
        #expect(refusal?.userInfo[NSLocalizedDescriptionKey] as? String == "\(file.path) holds 3 bytes, too few for a key: restore it from a "
            + "backup or from another server of this site, or delete it to have a new key made (a new site only)")
        #expect(FileManager.default.contents(atPath: file.path) == Data([1, 2, 3]))
    }
}
