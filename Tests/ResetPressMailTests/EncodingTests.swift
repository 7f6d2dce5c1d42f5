import Foundation
import Testing
@testable import ResetPressMail

@Suite struct EncodingTests {
    @Test(arguments: [
        ("bücher", "bcher-kva"),
        ("münchen", "mnchen-3ya"),
        ("例え", "r8jz45g"),
        ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
        ("abc", "abc-"),
    ] as [(String, String)])
    func punycodeMatchesKnownVectors(input: String, output: String) {
        #expect(Punycode.encode(input) == output)
    }

    @Test func asciiDomainEncodesOnlyNonASCIILabels() {
        #expect(Punycode.asciiDomain("mail.Bücher.example") == "mail.xn--bcher-kva.example")
        #expect(Punycode.asciiDomain("example.com") == "example.com")
    }

    /// The domain part keeps letters, digits, `-` and `.` only, lower-cased, without empty labels.
    @Test(arguments: [
        ("Example.COM", "example.com"), (".a..b.", "a.b"), ("a_b.c", "ab.c"), ("!!!", "localhost"), ("", "localhost"),
        ("Bücher.example", "xn--bcher-kva.example"),
    ])
    func generatedMessageIDsCleanTheirDomain(domain: String, expected: String) {
        #expect(MessageID.generate(domain: domain).hasSuffix("@\(expected)>"))
    }

    @Test func generatedMessageIDsAreUniqueAndWellFormed() {
        let first = MessageID.generate(domain: "example.com")
        let second = MessageID.generate(domain: "example.com")
        #expect(first != second)
        #expect(first.wholeMatch(of: /<[0-9a-f]{32}@example\.com>/) != nil)
        #expect(MessageID.generate(domain: "Bücher.example").hasSuffix("@xn--bcher-kva.example>"))
        #expect(MessageID.generate(domain: "").hasSuffix("@localhost>"))
        #expect(MessageID.generate(domain: "evil>\r\nBcc: x").hasSuffix("@evilbccx>"))
    }

    @Test func quotedPrintableLinesStayShortAndDecode() throws {
        let text = String(repeating: "é", count: 200) + " \n" + String(repeating: "=", count: 100) + "\n.\n"
        let encoded = QuotedPrintable.encode(text)
        let lines = Array(encoded.components(separatedBy: "\r\n").dropLast())
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(lines.allSatisfy { !$0.hasPrefix(".") })
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") && !$0.hasSuffix("\t") })
        #expect(encoded.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(QuotedPrintable.encode("") == "\r\n")
        #expect(QuotedPrintable.encode("a\n") == "a\r\n")
    }

    @Test func quotedPrintableDecodesBackToTheTextWithCRLFLineEnds() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "é", "🔑", " ", "\t", "=", ".", "From ", "\n", "\r\n", "\r", "<a href=\"x\">", String(repeating: "z", count: 80)]
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...60, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let encoded = QuotedPrintable.encode(text)
            let lines = Array(encoded.components(separatedBy: "\r\n").dropLast())
            #expect(lines.allSatisfy { $0.utf8.count <= QuotedPrintable.maxLineLength && !$0.hasPrefix(".") && !$0.hasPrefix("From ") }, "\(text.debugDescription)")
            #expect(lines.allSatisfy { !$0.hasSuffix(" ") && !$0.hasSuffix("\t") }, "\(text.debugDescription)")
            #expect(!encoded.contains("=_"))
            var expected = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            if !expected.hasSuffix("\n") { expected += "\n" }
            #expect(Self.decodeQuotedPrintable(encoded) == expected.replacingOccurrences(of: "\n", with: "\r\n"), "\(text.debugDescription)")
        }
    }

    /// RFC 2045 decoding, for the round trip above: soft breaks removed, `=XX` turned back into bytes.
    static func decodeQuotedPrintable(_ encoded: String) -> String {
        let bytes = Array(encoded.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x3D, index + 2 < bytes.count {
                let pair = String(decoding: bytes[(index + 1)..<(index + 3)], as: UTF8.self)
                if pair == "\r\n" {
                    index += 3
                    continue
                }
                output.append(UInt8(pair, radix: 16) ?? 0)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    @Test func encodedWordsNeverSplitCharactersAndStayShort() {
        let text = String(repeating: "é✓🔑", count: 30)
        let words = HeaderEncoding.encodedWords(text)
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.count <= HeaderEncoding.maxEncodedWordLength })
        let decoded = words.map { word -> String in
            let payload = word.dropFirst("=?utf-8?B?".count).dropLast(2)
            return String(decoding: Data(base64Encoded: String(payload)) ?? Data(), as: UTF8.self)
        }
        #expect(decoded.allSatisfy { !$0.contains("\u{FFFD}") })
        #expect(decoded.joined() == text)
    }
}
