import Testing
@testable import ResetPressTemplates
import ResetPressTestSupport

/// The template fuzz target's invariants (scripts/fuzz/TemplateFuzz.swift) on seeded random templates, so every
/// test run checks them: pieces tile the source, an empty render is the source, one pass, escaping, subjects.
@Suite struct TemplatePropertyTests {
    private static let fragments = [
        "{{", "}}", "<<", ">>", "{*", "*}", "{", "}", "<", ">", "*", " ", "\t", "\r\n", "\n", "CODE", "code", "fist_name", "FIRST_NAME",
        "x.y-z_1", "é", "😀", "Hello ", "&", "\"", "'", "{{ NAME }}", "<<SITE>>", "{* raw *}",
    ]

    @Test func randomTemplatesKeepTheRenderingInvariants() {
        var random = SeededGenerator(seed: 0x7E3F_1A7E)
        for _ in 0..<3000 {
            let source = (0..<Int.random(in: 0...20, using: &random)).map { _ in Self.fragments.randomElement(using: &random) ?? "" }.joined()
            check(source)
        }
    }

    private func check(_ source: String) {
        let template = Template(source)
        var next = 0
        for piece in template.pieces {
            #expect(piece.start == next && piece.end > piece.start)
            next = piece.end
        }
        #expect(next == template.bytes.count)
        #expect(template.render(TemplateVariables(), as: .text) == source)
        #expect(template.render(TemplateVariables(), as: .html) == source)

        var hostile = TemplateVariables()
        for name in template.placeholderNames {
            hostile[name] = "{{\(name)}}<&\"'>\r\n"
        }
        let growth = template.pieces.reduce(0) { total, piece in
            guard piece.slot != Template.Piece.literal, let value = hostile[template.keys[piece.slot]] else { return total }
            return total + value.utf8.count - (piece.end - piece.start)
        }
        #expect(template.render(hostile, as: .text).utf8.count == source.utf8.count + growth, "a value was re-scanned: \(source.debugDescription)")
        let rawPieces = template.pieces.count { $0.slot != Template.Piece.literal && !$0.escaped }
        let angles = { (text: String) in text.utf8.count { $0 == UInt8(ascii: "<") } }
        #expect(angles(template.render(hostile, as: .html)) <= angles(source) + rawPieces)
        let subject = template.renderSubject(hostile)
        #expect(!subject.utf8.contains(0x0D) && !subject.utf8.contains(0x0A))
    }
}
