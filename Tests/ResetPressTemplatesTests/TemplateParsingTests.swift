import Testing
import ResetPressTemplates

@Suite("Template parsing")
struct TemplateParsingTests {
    let vars: TemplateVariables = ["CODE": "42", "SITE_NAME": "Acme"]

    @Test func bracesPlaceholder() {
        #expect(Template("Code: {{CODE}}.").render(vars, as: .text) == "Code: 42.")
    }

    @Test func anglesPlaceholder() {
        #expect(Template("Code: <<CODE>>.").render(vars, as: .text) == "Code: 42.")
    }

    @Test func rawPlaceholder() {
        #expect(Template("Code: {*code*}.").render(vars, as: .text) == "Code: 42.")
    }

    @Test(arguments: ["{{ CODE }}", "{{\tCODE  }}", "<< CODE >>", "<<CODE >>", "{* code *}", "{*\tcode\t*}"])
    func whitespaceInsideDelimiters(source: String) {
        #expect(Template(source).render(vars, as: .text) == "42")
    }

    @Test(arguments: ["{{code}}", "{{ Code }}", "<<cOdE>>", "{* CODE *}"])
    func namesMatchCaseInsensitively(source: String) {
        #expect(Template(source).render(vars, as: .text) == "42")
    }

    @Test func namesAllowDotsDashesDigitsUnderscores() {
        let template = Template("{{ user.first-name_2 }}")
        #expect(template.placeholderNames == ["USER.FIRST-NAME_2"])
        #expect(template.render(["user.first-name_2": "Ann"], as: .text) == "Ann")
    }

    @Test(arguments: [
        "{{ }}", "{{}}", "<<not a name>>", "a << b", "a << b and c", "lone {{ brace", "{{ CODE }",
        "{{ CODE", "<<CODE>", "{* CODE }}", "{{ CO DE }}", "{{ CODE! }}", "{*", "<<", "{{", "{ {CODE} }",
        "if (a << 2 && b >> 1)", "{{ CODE\n}}",
    ])
    func malformedDelimitersStayLiteral(source: String) {
        let template = Template(source)
        #expect(template.placeholderNames.isEmpty)
        #expect(template.render(vars, as: .text) == source)
        #expect(template.render(vars, as: .html) == source)
    }

    @Test func extraDelimiterCharactersStayAroundThePlaceholder() {
        #expect(Template("{{{CODE}}}").render(vars, as: .text) == "{42}")
        #expect(Template("<<<CODE>>>").render(vars, as: .text) == "<42>")
    }

    @Test func placeholderNamesAreOrderedUniqueAndUpperCased() {
        let template = Template("{{ site_name }} <<code>> {* Code *} {{FIST_NAME}} {{SITE_NAME}}")
        #expect(template.placeholderNames == ["SITE_NAME", "CODE", "FIST_NAME"])
    }

    @Test func unknownPlaceholdersAreReported() {
        let template = Template("Hi {{ FIST_NAME }}, {{ CODE }} {{ COLOUR }} <<shoe_size>> {{colour}}")
        let unknown = template.unknownPlaceholders(known: ["code", "FIRST_NAME"])
        #expect(unknown == ["COLOUR", "SHOE_SIZE"])
    }

    @Test func usesVariableResolvesAliasesAndCase() {
        let template = Template("Hello {{ fist_name }}")
        #expect(template.usesVariable("FIRST_NAME"))
        #expect(template.usesVariable("fist_name"))
        #expect(!template.usesVariable("CODE"))
    }

    @Test func nonASCIILiteralTextSurvives() {
        let source = "Grüße, {{ NAME }} — 🔑 {{CODE}} ✓"
        #expect(Template(source).render(["name": "Zoë", "code": "42"], as: .text) == "Grüße, Zoë — 🔑 42 ✓")
    }

    @Test func emptySource() {
        #expect(Template("").render(vars, as: .html) == "")
        #expect(Template("").placeholderNames.isEmpty)
    }
}
