import Testing
import ResetPressTemplates

@Suite("Template rendering")
struct TemplateRenderingTests {
    @Test func fistNameAliasResolvesToFirstName() {
        let vars: TemplateVariables = ["FIRST_NAME": "Ann"]
        #expect(Template("Hi {{FIST_NAME}} / {{first_name}}").render(vars, as: .text) == "Hi Ann / Ann")
    }

    @Test(arguments: ["{{CODE}}", "<<CODE>>", "{* code *}", "{{ SITE }}"])
    func insertedValuesAreNotScannedAgain(value: String) {
        let vars: TemplateVariables = ["FIRST_NAME": value, "CODE": "SECRET", "SITE": "https://x"]
        let template = Template("Hi {{FIRST_NAME}}, <<first_name>>, {* first_name *}: {{CODE}}")
        #expect(template.render(vars, as: .text) == "Hi \(value), \(value), \(value): SECRET")
    }

    @Test func htmlEscapesBracesAndAnglesButNotRaw() {
        let vars: TemplateVariables = ["NAME": "<b>Ann & \"Bo\" 'C'</b>"]
        let template = Template("{{ NAME }}|<<NAME>>|{* name *}")
        let escaped = "&lt;b&gt;Ann &amp; &quot;Bo&quot; &#39;C&#39;&lt;/b&gt;"
        #expect(template.render(vars, as: .html) == "\(escaped)|\(escaped)|<b>Ann & \"Bo\" 'C'</b>")
    }

    @Test func textModeDoesNotEscape() {
        let vars: TemplateVariables = ["NAME": "<b>Ann & Bo</b>"]
        let rendered = Template("{{ NAME }}|<<NAME>>|{* name *}").render(vars, as: .text)
        #expect(rendered == "<b>Ann & Bo</b>|<b>Ann & Bo</b>|<b>Ann & Bo</b>")
    }

    @Test func htmlLiteralTextIsNotEscaped() {
        let template = Template("<p class=\"x\">a << b & {{CODE}}</p>")
        #expect(template.render(["code": "<1>"], as: .html) == "<p class=\"x\">a << b & &lt;1&gt;</p>")
    }

    @Test func unknownPlaceholdersStayVerbatim() {
        let source = "A {{  Unknown_One }} B <<other>> C {*\traw.thing *} D {{CODE}}"
        let rendered = Template(source).render(["CODE": "7"], as: .html)
        #expect(rendered == "A {{  Unknown_One }} B <<other>> C {*\traw.thing *} D 7")
    }

    @Test func emptyValueReplacesPlaceholder() {
        #expect(Template("[{{ LAST_NAME }}]").render(["LAST_NAME": ""], as: .text) == "[]")
    }

    @Test func subjectHeaderInjectionIsFlattened() {
        let vars: TemplateVariables = ["FIRST_NAME": "Hi\r\nBcc: x@y"]
        let subject = Template("{{FIRST_NAME}}, reset your password").renderSubject(vars)
        #expect(subject == "Hi Bcc: x@y, reset your password")
        #expect(!subject.contains("\r") && !subject.contains("\n"))
    }

    @Test func subjectCollapsesEachLineBreakRunAndTrims() {
        let subject = Template("\r\n  Reset\n\n\r for {{ SITE_NAME }}\r\n").renderSubject(["site_name": "A\rB\n"])
        #expect(subject == "Reset  for A B")
    }

    @Test func subjectIsTextNotHTML() {
        #expect(Template("{{ NAME }}").renderSubject(["NAME": "<Ann & Bo>"]) == "<Ann & Bo>")
    }

    @Test func subjectOfOnlyLineBreaksIsEmpty() {
        #expect(Template("\r\n\t \n").renderSubject([:]) == "")
    }
}
