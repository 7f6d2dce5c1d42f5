import Foundation
import ResetPressMail
import ResetPressStorage
import ResetPressStoreTestSupport
import ResetPressUsers
import Testing

/// Keys that rotate (issue 22): a ring seals and hashes with its current key and opens and matches
/// with every key; a staged key seals nothing until promoted; `rotate`, `promote` and `retire` keep
/// the files and the database's checks in step.
@Suite struct KeyRotationTests {
    static let old = InstallSecret(bytes: Data(repeating: 1, count: 32))
    static let new = Data(repeating: 2, count: 32)

    private static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private static func mode(_ url: URL) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int ?? -1
    }

    @Test func aStagedKeyOpensButSealsNothingUntilPromoted() throws {
        let staged = Self.old.staging(Self.new)
        #expect(staged.roles == [.current, .next] && staged.nextKeyID == InstallSecret(bytes: Self.new).keyIDs[0])
        #expect(staged.hash("123456") == Self.old.hash("123456"))
        let message = try #require(try testMail().body?.plainMessage)
        let sealedByStaged = try staged.mailSealer().seal(message)
        #expect(try Self.old.mailSealer().open(sealedByStaged) == message, "a node without the staged key still opens what it seals")
        let promotedElsewhere = try InstallSecret(bytes: Self.new).mailSealer().seal(message)
        #expect(try staged.mailSealer().open(promotedElsewhere) == message, "and it opens what a node that promoted it seals")
        #expect(staged.hashes("123456").contains(InstallSecret(bytes: Self.new).hash("123456")))
        #expect(Self.old.promoted() == nil)
    }

    @Test func aPromotedRingHashesAndSealsWithTheNewKeyAndOpensWithEvery() throws {
        let rotated = try #require(Self.old.staging(Self.new).promoted())
        #expect(rotated.keyIDs.count == 2 && rotated.keyIDs[1] == Self.old.keyIDs[0] && rotated.roles == [.current, .previous])
        #expect(rotated.hash("123456") == InstallSecret(bytes: Self.new).hash("123456"))
        #expect(rotated.hashes("123456") == [InstallSecret(bytes: Self.new).hash("123456"), Self.old.hash("123456")])
        #expect(rotated.checkValue != Self.old.checkValue && rotated.checkValues[1] == Self.old.checkValue)

        let message = try #require(try testMail().body?.plainMessage)
        let sealedByOld = try Self.old.mailSealer().seal(message)
        #expect(try rotated.mailSealer().open(sealedByOld) == message)
        let sealedByNew = try rotated.mailSealer().seal(message)
        #expect(throws: (any Error).self) { try Self.old.mailSealer().open(sealedByNew) }
        #expect(try InstallSecret(bytes: Self.new).mailSealer().open(sealedByNew) == message)
        #expect(Self.old.staging(Data(repeating: 1, count: 32)).keyIDs == Self.old.keyIDs, "a key is kept once")
    }

    @Test func rotateAndPromoteWriteOwnerOnlyFilesThatLoadReadsAsTheRing() async throws {
        let data = try Self.folder()
        defer { try? FileManager.default.removeItem(at: data) }
        let loaded = try InstallSecret.load(in: data, environment: [:])
        let storage = SiteStorage.memory()
        #expect(try await storage.installChecks.admits(loaded.checkValue, now: testTime()))
        let file = InstallSecret.file(in: data, environment: [:])
        let rotation = KeyRotation(storage: storage, secretFile: file)

        let staged = try await rotation.stage(loaded, now: testTime(60))
        #expect(try InstallSecret.load(in: data, environment: [:]).roles == [.current, .next])
        #expect(try InstallSecret.load(in: data, environment: [:]).keyIDs == staged.keyIDs)
        #expect(try Self.mode(InstallSecret.nextFile(of: file)) == 0o600)
        #expect(try await storage.installChecks.admits(staged.checkValues[1], now: testTime(61)), "a node that already promoted it is admitted")

        let promoted = try #require(try await rotation.promote(staged, now: testTime(120)))
        let reloaded = try InstallSecret.load(in: data, environment: [:])
        #expect(reloaded.keyIDs == [staged.keyIDs[1], loaded.keyIDs[0]] && reloaded.roles == [.current, .previous])
        #expect(reloaded.keyIDs == promoted.keyIDs)
        #expect(try Self.mode(file) == 0o600 && Self.mode(InstallSecret.previousFile(of: file)) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: InstallSecret.nextFile(of: file).path))
        #expect(try await storage.installChecks.recorded() == [
            InstallCheck(value: loaded.checkValue, recordedAt: testTime()), InstallCheck(value: promoted.checkValue, recordedAt: testTime(120)),
        ], "the promotion is the current key's time")
        #expect(try await rotation.promote(promoted, now: testTime(130)) == nil)
    }

    @Test func aDamagedPreviousKeysFileIsNamed() throws {
        let data = try Self.folder()
        defer { try? FileManager.default.removeItem(at: data) }
        _ = try InstallSecret.load(in: data, environment: [:])
        let previous = InstallSecret.previousFile(of: InstallSecret.file(in: data, environment: [:]))
        try Data("not a key\n".utf8).write(to: previous)
        do {
            _ = try InstallSecret.load(in: data, environment: [:])
            Issue.record("a damaged previous-keys file was accepted")
        } catch {
            #expect(error.localizedDescription.contains("line 1 of \(previous.path)"), "\(error.localizedDescription)")
        }
    }

    @Test func retireWaitsUntilNoCodeMailAuthCodeOrTokenFromBeforeTheRotationIsLeft() async throws {
        let data = try Self.folder()
        defer { try? FileManager.default.removeItem(at: data) }
        let storage = SiteStorage.memory()
        let old = try InstallSecret.load(in: data, environment: [:])
        #expect(try await storage.installChecks.admits(old.checkValue, now: testTime()))
        let ann = try await storage.users.add(NewUser(login: "ann", email: "ann@example.com", passwordHash: "h"), now: testTime())
        _ = try await storage.resetCodes.issue(
            NewResetCode(
                userID: ann.id!, email: ann.email, codeHash: old.hash("123456"), linkHash: old.hash("link"), createdAt: testTime(10),
                expiresAt: testTime(610), requestIP: "192.0.2.1"),
            mail: try testMail().sealed(with: old.mailSealer()))
        let authCode = try await storage.authCodes.add(codeHash: old.hash("auth"), lastFour: "auth", length: 20, role: "", expiresAt: nil, now: testTime(10))
        let token = try await storage.apiTokens.add(name: "ci", scopes: ["read"], hash: old.hash("rpt_x"), expiresAt: nil, now: testTime(10))

        let rotation = KeyRotation(storage: storage, secretFile: InstallSecret.file(in: data, environment: [:]))
        let staged = try await rotation.stage(old, now: testTime(15))
        #expect(try await rotation.remainingUses(of: staged, now: testTime(16)).isEmpty, "nothing to retire before a promotion")
        let rotated = try #require(try await rotation.promote(staged, now: testTime(20)))
        let uses = try await rotation.remainingUses(of: rotated, now: testTime(30))
        #expect(uses.count == 4, "\(uses)")
        #expect(uses.contains { $0.hasPrefix("reset codes issued before the rotation") })
        #expect(uses.contains { $0.contains("#\(authCode.id)") } && uses.contains { $0.contains("#\(token.id) ci") })

        // The code expires; the mail is sent; the owner replaces the auth code and the token.
        let claimed = try await storage.outbox.claimDue(limit: 10, now: testTime(700), owner: "a", leaseUntil: testTime(760))
        #expect(try await rotation.remainingUses(of: rotated, now: testTime(700)).count == 3)
        try await storage.outbox.markSent(claimed.map { ($0.id, nil) }, at: testTime(701), events: [])
        #expect(try await storage.authCodes.remove(id: authCode.id, now: testTime(702), by: nil))
        #expect(try await storage.apiTokens.revoke(id: token.id, now: testTime(702)))
        // Made after the rotation, under the new key: no use of the old one.
        _ = try await storage.apiTokens.add(name: "ci2", scopes: ["read"], hash: rotated.hash("rpt_y"), expiresAt: nil, now: testTime(703))
        #expect(try await rotation.remainingUses(of: rotated, now: testTime(704)).isEmpty)

        let retired = try await rotation.retire(rotated)
        #expect(retired.keyIDs == [rotated.keyIDs[0]])
        #expect(try InstallSecret.load(in: data, environment: [:]).keyIDs == retired.keyIDs)
        #expect(try await storage.installChecks.recorded().map(\.value) == [rotated.checkValue])
        #expect(try await !storage.installChecks.admits(old.checkValue, now: testTime(705)), "a node with the old key alone is refused")
    }
}
