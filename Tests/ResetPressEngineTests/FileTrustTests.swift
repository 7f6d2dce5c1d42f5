import Foundation
import Testing
@testable import ResetPressEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which site files are trusted (issue 25): nobody but their owner or root may write them.
@Suite struct FileTrustTests {
    let folder: TemporaryDirectory
    let strict = FileTrust(strict: true)

    init() throws {
        folder = try TemporaryDirectory()
        chmod(folder.url.path, 0o755)
    }

    /// A file under the folder with `mode`.
    private func file(_ name: String, mode: mode_t) throws -> URL {
        let url = try folder.write(name, "{}")
        #expect(chmod(url.path, mode) == 0)
        return url
    }

    @Test func ownersFileIsTrusted() throws {
        let url = try file("settings/site.json", mode: 0o644)
        #expect(strict.problem(inSite: folder.url, at: url) == nil)
    }

    @Test func worldWritableFileIsRefusedWithItsNameAndTheChmod() throws {
        let url = try file("settings/zz.json", mode: 0o666)
        let problem = try #require(strict.problem(inSite: folder.url, at: url))
        #expect(problem.hasPrefix("settings/zz.json is mode 666"))
        #expect(problem.contains("chmod go-w \(url.path)"))
        #expect(problem.contains(FileTrust.environmentVariable))
    }

    @Test func groupWritableFileOfAGroupWithOthersIsRefused() throws {
        // Group 65534 (nogroup) is not root's own group: its members are other users.
        let url = try file("settings/zz.json", mode: 0o664)
        #expect(chown(url.path, 0, 65534) == 0)
        #expect(strict.problem(inSite: folder.url, at: url)?.contains("mode 664") == true)
        // The same mode in the owner's own group (root's primary group, no other member) is the owner's alone.
        #expect(chown(url.path, 0, 0) == 0)
        #expect(strict.problem(inSite: folder.url, at: url) == nil)
    }

    @Test func fileOwnedByAnotherUserIsRefused() throws {
        let url = try file("hooks/h/10-x", mode: 0o755)
        #expect(chown(url.path, 65534, 65534) == 0)
        let problem = try #require(strict.problem(inSite: folder.url, at: url))
        #expect(problem.contains("owned by uid 65534"))
        #expect(problem.contains("chown \(geteuid()) \(url.path)"))
    }

    @Test func writableFolderAboveTheFileIsRefused() throws {
        let url = try file("hooks/h/10-x", mode: 0o755)
        #expect(chmod(folder.url.appendingPathComponent("hooks").path, 0o777) == 0)
        #expect(strict.problem(inSite: folder.url, at: url)?.hasPrefix("hooks is mode 777") == true)
        #expect(chmod(folder.url.appendingPathComponent("hooks").path, 0o755) == 0)
        #expect(chmod(folder.url.path, 0o777) == 0)
        #expect(strict.problem(inSite: folder.url, at: url)?.hasPrefix("the site folder") == true)
    }

    @Test func symlinkIsJudgedByWhatItLeadsTo() throws {
        let target = try file("outside/evil.json", mode: 0o666)
        let link = folder.url.appendingPathComponent("settings/link.json")
        try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        #expect(strict.problem(inSite: folder.url, at: link)?.contains("mode 666") == true)
    }

    @Test func treeCheckFindsADeepFile() throws {
        _ = try file("templates/password/email.tpl", mode: 0o644)
        let templates = folder.url.appendingPathComponent("templates")
        #expect(strict.problem(inTree: templates, site: folder.url) == nil)
        _ = try file("templates/password/fr/email.tpl", mode: 0o646)
        #expect(strict.problem(inTree: templates, site: folder.url)?.hasPrefix("templates/password/fr/email.tpl is mode 646") == true)
    }

    @Test func theEnvironmentTurnsTheChecksOff() throws {
        let url = try file("settings/zz.json", mode: 0o666)
        #expect(FileTrust(environment: [:]).problem(inSite: folder.url, at: url) != nil)
        #expect(FileTrust(environment: ["RESETPRESS_STRICT_MODES": "on"]).problem(inSite: folder.url, at: url) != nil)
        #expect(FileTrust(environment: ["RESETPRESS_STRICT_MODES": "off"]).problem(inSite: folder.url, at: url) == nil)
    }
}
