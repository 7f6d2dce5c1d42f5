import Foundation
import Testing
@testable import ResetPressStorage

@Suite struct RecipientsColumnTests {
    /// Whatever the list, the column's text is JSON that Foundation reads back as the same list, and the
    /// column reads back the same list from its own text and from Foundation's.
    @Test func roundTripsAgainstFoundation() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "@", "example.com", ",", "\"", "\\", "\",\"", "é", "/", " ", "\n", "[", "]", "\u{301}", "Ann <a@b.c>"]
        for _ in 0..<3_000 {
            let list = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                (0..<Int.random(in: 0...5, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            }
            let text = try RecipientsColumn.text(of: list)
            #expect(try JSONDecoder().decode([String].self, from: Data(text.utf8)) == list, "\(list)")
            #expect(try RecipientsColumn.recipients(in: text) == list, "\(list)")
            let foundations = String(decoding: try JSONEncoder().encode(list), as: UTF8.self)
            #expect(try RecipientsColumn.recipients(in: foundations) == list, "\(list)")
        }
    }

    /// Rows written before keep reading: Foundation's escaped slashes, and the empty list.
    @Test func readsFoundationsForms() throws {
        #expect(try RecipientsColumn.recipients(in: #"["a\/b@example.com","c@example.com"]"#) == ["a/b@example.com", "c@example.com"])
        #expect(try RecipientsColumn.recipients(in: "[]") == [])
        #expect(try RecipientsColumn.recipients(in: #"["a@example.com", "b@example.com"]"#) == ["a@example.com", "b@example.com"])
        #expect(try RecipientsColumn.text(of: ["a@example.com", "b@example.com"]) == #"["a@example.com","b@example.com"]"#)
    }
}
