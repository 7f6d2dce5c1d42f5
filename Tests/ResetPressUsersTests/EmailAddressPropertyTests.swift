import Testing
import ResetPressUsers

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

/// SplitMix64: a small, seeded, reproducible generator for property tests.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
