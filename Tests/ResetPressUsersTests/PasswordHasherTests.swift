import HummingbirdBcrypt
import Testing

@testable import ResetPressUsers

@Suite struct PasswordHasherTests {
    let hasher = PasswordHasher(maxConcurrent: 2)

    @Test func newHashesUseTheWordPressPrefixAndVerify() async throws {
        let hash = try await hasher.hash("correct horse battery staple", cost: 4)
        #expect(hash.hasPrefix("$wp$2y$04$"))
        #expect(hash.utf8.count == 63)
        #expect(PasswordHashFormat(hash: hash) == .wordPressBcrypt(cost: 4))
        #expect(await hasher.verify("correct horse battery staple", against: hash))
        #expect(await !hasher.verify("correct horse battery stapl", against: hash))
        #expect(await !hasher.verify("", against: hash))
    }

    @Test func passwordsSharingTheirFirst72BytesDoNotMatch() async throws {
        let prefix = String(repeating: "a", count: 72)
        let first = prefix + "first", second = prefix + "second"
        let hash = try await hasher.hash(first, cost: 4)
        #expect(await hasher.verify(first, against: hash))
        #expect(await !hasher.verify(second, against: hash))
        // Plain bcrypt would have accepted it: the pre-hash is what makes the difference.
        let plain = Bcrypt.hash(first, cost: 4)
        #expect(await hasher.verify(second, against: plain))
    }

    @Test func nonASCIIPasswordsRoundTrip() async throws {
        let password = "pässwörd 🔑 with spaces "
        let hash = try await hasher.hash(password, cost: 4)
        #expect(await hasher.verify(password, against: hash))
        #expect(await !hasher.verify("pässwörd 🔑 with spaces", against: hash))
    }

    @Test func rejectsCostsOutsideBcryptsRange() async {
        await #expect(throws: PasswordHasherError.invalidCost(3)) { try await hasher.hash("x", cost: 3) }
        await #expect(throws: PasswordHasherError.invalidCost(32)) { try await hasher.hash("x", cost: 32) }
    }

    @Test func rejectsPasswordsPastTheLimit() async throws {
        let long = String(repeating: "x", count: PasswordHasher.maxPasswordBytes + 1)
        await #expect(throws: PasswordHasherError.passwordTooLong(maxBytes: 4096)) {
            try await hasher.hash(long, cost: 4)
        }
        let atLimit = String(repeating: "x", count: PasswordHasher.maxPasswordBytes)
        let hash = try await hasher.hash(atLimit, cost: 4)
        #expect(await hasher.verify(atLimit, against: hash))
        #expect(await !hasher.verify(long, against: hash))
    }

    /// Hashes made by WordPress 6.8's `wp_hash_password`, published by projects that migrate off WordPress.
    @Test(arguments: [
        ("BigBike@2026", "$wp$2y$10$qeleDSuDaeZO5fBsEqFReeWdlqaDnBDBzB16hFgsFnhN9qFBIihvm"),
        ("grimoire-test-123", "$wp$2y$12$iWN5xRwDE7i9R5jVJvCyqOxS1CNnwUggQaF8O2W9Bg8TuXQz.ngrS"),
    ])
    func verifiesRealWordPressHashes(password: String, hash: String) async {
        #expect(await hasher.verify(password, against: hash))
        #expect(await !hasher.verify(password + "x", against: hash))
    }

    @Test func acceptsBothBcryptVariantsAfterTheWordPressPrefix() async throws {
        let hash = try await hasher.hash("s3cret", cost: 4)
        let variantB = "$wp$2b$" + hash.dropFirst(7)
        #expect(await hasher.verify("s3cret", against: variantB))
        #expect(PasswordHashFormat(hash: "$wp$2a$" + hash.dropFirst(7)) == nil)
    }

    /// `$2y$` hashes from PHP's `password_hash` / `crypt` documentation, for "rasmuslerdorf".
    @Test(arguments: [
        "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq",
        "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a",
    ])
    func verifiesPHPBcryptHashes(hash: String) async {
        #expect(await hasher.verify("rasmuslerdorf", against: hash))
        #expect(await !hasher.verify("rasmuslerdorF", against: hash))
    }

    @Test func verifiesPlainBcryptInEveryVariant() async {
        let made = Bcrypt.hash("legacy pass", cost: 4)
        #expect(made.hasPrefix("$2b$04$"))
        for variant in ["a", "b", "y"] {
            let hash = "$2\(variant)$" + made.dropFirst(4)
            #expect(await hasher.verify("legacy pass", against: hash), "variant \(variant)")
            #expect(await !hasher.verify("legacy pas", against: hash), "variant \(variant)")
        }
        #expect(await !hasher.verify("legacy pass", against: "$wp" + made))
    }

    /// The first is phpass's own published test vector; the others were computed with an independent
    /// Python implementation of phpass's `crypt_private`.
    @Test(arguments: [
        ("test12345", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0"),
        ("test", "$P$BDjiX.6BXrxHMUwVmKNs6Syiu3NL6H."),
        ("pässwörd with spaces", "$H$7abcdefgh.LkyX5MabmbfdoxyATx39."),
        ("correct horse", "$P$BsaltsaltWtkMwa/ZHFz6vQ3k/22vI1"),
    ])
    func verifiesPHPassHashes(password: String, hash: String) async {
        #expect(await hasher.verify(password, against: hash))
        #expect(await !hasher.verify(password + " ", against: hash))
        #expect(PHPass.verify(password, against: hash))
    }

    @Test(arguments: [
        "", "!", "*", "plain text", "5f4dcc3b5aa765d61d8327deb882cf99",
        "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L", "$P$0IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0",
        "$2y$03$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq",
        "$2x$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq",
        "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpO!",
        "$argon2id$v=19$m=65536,t=4,p=1$c29tZXNhbHQ$hash",
    ])
    func unknownOrMalformedHashesNeverVerify(hash: String) async {
        #expect(await !hasher.verify("rasmuslerdorf", against: hash))
        #expect(await !hasher.verify("", against: hash))
    }

    @Test func needsRehashForLegacyLowerCostAndUnknownHashes() async throws {
        let current = try await hasher.hash("pw", cost: 5)
        #expect(!hasher.needsRehash(current, cost: 5))
        #expect(!hasher.needsRehash(current, cost: 4))
        #expect(hasher.needsRehash(current, cost: 6))
        #expect(hasher.needsRehash("$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", cost: 4))
        #expect(hasher.needsRehash("$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq", cost: 4))
        #expect(hasher.needsRehash(PasswordHasher.unusableHash, cost: 4))
        #expect(hasher.needsRehash("garbage", cost: 4))
    }

    @Test func recognisesFormatsAndLegacy() {
        #expect(PasswordHashFormat(hash: "$P$BDjiX.6BXrxHMUwVmKNs6Syiu3NL6H.") == .phpass(iterationsLog2: 13))
        #expect(PasswordHashFormat(hash: "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq") == .bcrypt(cost: 7))
        #expect(PasswordHashFormat(hash: "!") == .unusable)
        #expect(PasswordHashFormat(hash: "$P$BDjiX.6BXrxHMUwVmKNs6Syiu3NL6H.")?.isLegacy == true)
        #expect(PasswordHashFormat(hash: "!")?.isLegacy == false)
    }

    @Test func constantTimeEqualsComparesEveryByte() {
        #expect(ConstantTime.equals(Array("abc".utf8), "abc".utf8))
        #expect(!ConstantTime.equals(Array("abc".utf8), "abd".utf8))
        #expect(!ConstantTime.equals(Array("abc".utf8), "abcd".utf8))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    }
}
