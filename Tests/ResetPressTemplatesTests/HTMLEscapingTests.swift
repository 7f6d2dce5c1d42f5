import Testing
import ResetPressTemplates

@Suite("HTML escaping")
struct HTMLEscapingTests {
    @Test func escapesTheFiveCharacters() {
        #expect(HTMLEscaping.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }

    @Test func leavesOtherTextAlone() {
        #expect(HTMLEscaping.escape("Zoë 🔑 plain") == "Zoë 🔑 plain")
        #expect(HTMLEscaping.escape("") == "")
    }

    @Test func escapesNextToMultiByteCharacters() {
        #expect(HTMLEscaping.escape("é<🔑>ü") == "é&lt;🔑&gt;ü")
    }

    @Test func escapesAtBothEndsAndInRuns() {
        #expect(HTMLEscaping.escape("&&x<<") == "&amp;&amp;x&lt;&lt;")
        #expect(HTMLEscaping.escape("'") == "&#39;")
    }
}
