import Testing
@testable import ResetPressMail
import ResetPressTestSupport

/// The email fuzz target's invariants (scripts/fuzz/EmailFuzz.swift) on seeded random input: whatever the
/// validator accepts is safe in a header; generated well-formed addresses are accepted.
@Suite struct EmailValidatorPropertyTests {
    private static let alphabet: [Character] = [
        "a", "Z", "9", ".", ".", "@", "@", "-", "_", "+", "'", "\"", " ", "\t", "\r", "\n", "\u{0}", "<", ">", ",", ";", ":", "\\",
        "[", "]", "(", ")", "é", "ü", "日", "\u{301}", "\u{200B}", "\u{2028}", "😀", "٣", "ß",
    ]

    @Test func whateverIsAcceptedIsSafeInAHeader() {
        var random = SeededGenerator(seed: 0xE3A1_0001)
        let forbidden = Set("\r\n\0<>(),;:\\\"[] \t".utf8)
        for _ in 0..<20_000 {
            let candidate = String((0..<Int.random(in: 0...24, using: &random)).map { _ in Self.alphabet.randomElement(using: &random) ?? "a" })
            guard EmailAddressValidator.isValid(candidate) else { continue }
            #expect(candidate.utf8.count { $0 == UInt8(ascii: "@") } == 1, "\(candidate.debugDescription)")
            #expect(!candidate.utf8.contains(where: forbidden.contains), "\(candidate.debugDescription)")
            let domain = String(candidate[candidate.index(after: candidate.lastIndex(of: "@") ?? candidate.startIndex)...])
            #expect(Punycode.asciiDomain(domain)?.utf8.allSatisfy { $0 < 0x80 } == true, "\(candidate.debugDescription)")
        }
    }

    /// The one-pass byte check that all-ASCII addresses take agrees with the scalar rules on every input,
    /// including the lengths at their limits (64-octet local parts, 63-octet labels, 254 octets in all).
    @Test func asciiFastPathAgreesWithTheScalarRules() {
        var random = SeededGenerator(seed: 0xE3A1_0003)
        let pieces = ["a", "Z", "9", "0", ".", ".", "@", "-", "_", "+", "'", "\"", " ", "<", ",", "\u{7F}", "\t", "x.y", "example.com", "1",
                      String(repeating: "l", count: 63), String(repeating: "m", count: 64), String(repeating: "n", count: 120)]
        var checked = 0
        for _ in 0..<30_000 {
            let candidate = (0..<Int.random(in: 0...8, using: &random)).map { _ in pieces.randomElement(using: &random) ?? "a" }.joined()
            guard let fast = EmailAddressValidator.asciiVerdict(candidate) else { continue }
            checked += 1
            #expect(fast == EmailAddressValidator.isValidByScalars(candidate), "\(candidate.debugDescription)")
        }
        #expect(checked > 20_000)
        #expect(EmailAddressValidator.asciiVerdict("ann@exämple.com") == nil)
    }

    @Test func generatedWellFormedAddressesAreAccepted() {
        var random = SeededGenerator(seed: 0xE3A1_0002)
        let local = Array("abcXYZ019!#$%&'*+/=?^_`{|}~-")
        let label = Array("abcxyz019")
        let unicode = Array("éüñ日本ß")
        for _ in 0..<3000 {
            let localPart = (0..<Int.random(in: 1...3, using: &random)).map { _ in
                String((0..<Int.random(in: 1...6, using: &random)).map { _ in local.randomElement(using: &random) ?? "a" })
            }.joined(separator: ".")
            let labels = (0..<Int.random(in: 2...4, using: &random)).map { _ in
                String((0..<Int.random(in: 1...8, using: &random)).map { _ in
                    (Bool.random(using: &random) ? label : unicode).randomElement(using: &random) ?? "a"
                })
            }
            let address = localPart + "@" + labels.dropLast().joined(separator: ".") + ".c" + labels[labels.count - 1]
            #expect(EmailAddressValidator.isValid(address), "\(address.debugDescription)")
        }
    }

    @Test func longHostileInputIsRefusedQuickly() {
        let start = ContinuousClock.now
        #expect(!EmailAddressValidator.isValid(String(repeating: "a.", count: 50_000) + "@" + String(repeating: "é.", count: 50_000) + "com"))
        #expect(!EmailAddressValidator.isValid("a@" + String(repeating: "\u{301}", count: 200) + ".com"))
        // Far above any stall (seconds), far below a validator that backtracks on these 200,000 characters (hours).
        #expect(ContinuousClock.now - start < .seconds(20))
    }
}
