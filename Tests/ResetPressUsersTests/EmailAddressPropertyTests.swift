import Testing
import ResetPressUsers
import ResetPressTestSupport

/// `EmailAddress.isPlausible` on seeded random input: what it accepts has one `@`, text on both sides, a dot
/// inside the domain and no whitespace or control character; generated plausible addresses are accepted.
@Suite struct EmailAddressPropertyTests {
    private static let alphabet: [Character] = [
        "a", "Z", "9", ".", ".", "@", "@", "-", " ", "\t", "\r", "\n", "\u{0}", "\u{7F}", "\u{85}", "\u{A0}", "\u{2028}", "\u{3000}",
        "é", "日", "😀", "\u{301}",
    ]

    @Test func whateverIsPlausibleHasTheShapeOfAnAddress() {
        var random = SeededGenerator(seed: 0xE3A1_0101)
        for _ in 0..<20_000 {
            let candidate = String((0..<Int.random(in: 0...16, using: &random)).map { _ in Self.alphabet.randomElement(using: &random) ?? "a" })
            guard EmailAddress.isPlausible(candidate) else { continue }
            let parts = candidate.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
            #expect(parts.count == 2 && !parts[0].isEmpty, "\(candidate.debugDescription)")
            let domain = parts.count == 2 ? Array(parts[1]) : []
            #expect(domain.contains(".") && domain.first != "." && domain.last != ".", "\(candidate.debugDescription)")
            #expect(!candidate.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F || $0.properties.isWhitespace },
                    "\(candidate.debugDescription)")
        }
    }

    @Test func generatedPlausibleAddressesAreAccepted() {
        var random = SeededGenerator(seed: 0xE3A1_0102)
        let text = Array("abcXYZ019-_+é日")
        func word(_ random: inout SeededGenerator) -> String {
            String((0..<Int.random(in: 1...6, using: &random)).map { _ in text.randomElement(using: &random) ?? "a" })
        }
        for _ in 0..<3000 {
            let address = word(&random) + "@" + word(&random) + "." + word(&random)
            #expect(EmailAddress.isPlausible(address), "\(address.debugDescription)")
        }
    }
}
