import Foundation
import Testing
@testable import ResetPassword

@Suite struct BlankTrimmingTests {
    /// The shortcut for visible ASCII ends gives Foundation's `.whitespaces` trimming on every text:
    /// Unicode spaces (no-break, ideographic) are trimmed, newlines are not.
    @Test func equalsFoundationsTrimming() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "@", "é", " ", "\t", "\n", "\r", "\u{0B}", "\u{A0}", "\u{3000}", "\u{2009}", "x.y", "😀"]
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(text.trimmingBlanks() == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }

    /// The byte path for ASCII ends gives Foundation's `.whitespacesAndNewlines` trimming on every
    /// text, Unicode spaces and line separators at either end included.
    @Test func whiteSpaceAndNewlinesEqualsFoundationsTrimming() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "é", " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2028}", "\u{3000}", "\u{301}", "Subject", "😀"]
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let slice = ("<" + text + ">").dropFirst().dropLast()
            #expect(slice.trimmingWhiteSpaceAndNewlines() == slice.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
        }
    }
}
