import Foundation
import Testing
import ResetPressTemplates

@Suite("Template variables")
struct TemplateVariablesTests {
    @Test func lookupIsCaseInsensitive() {
        var vars: TemplateVariables = ["code": "1"]
        #expect(vars["CODE"] == "1")
        vars["Code"] = "2"
        #expect(vars["code"] == "2")
        #expect(vars.count == 1)
        vars["CODE"] = nil
        #expect(vars.isEmpty)
    }

    @Test func aliasIsTheSameVariable() {
        var vars = TemplateVariables()
        vars["fist_name"] = "Ann"
        #expect(vars["FIRST_NAME"] == "Ann")
        #expect(vars.names == ["FIRST_NAME"])
        #expect(TemplateVariables.canonicalName("Fist_Name") == "FIRST_NAME")
    }

    @Test func laterLiteralEntryWins() {
        let vars: TemplateVariables = ["code": "1", "CODE": "2"]
        #expect(vars["code"] == "2")
    }

    @Test func mergingPrefersTheOtherSide() {
        let base: TemplateVariables = ["CODE": "1", "SITE": "a"]
        let merged = base.merging(["code": "2", "EXTRA": "x"])
        #expect(merged.dictionary == ["CODE": "2", "SITE": "a", "EXTRA": "x"])
        #expect(base["CODE"] == "1")
    }

    @Test func iterationIsSortedByCanonicalName() {
        let vars: TemplateVariables = ["site": "s", "Code": "c", "fist_name": "f"]
        #expect(vars.map(\.name) == ["CODE", "FIRST_NAME", "SITE"])
        #expect(vars.map(\.value) == ["c", "f", "s"])
        #expect(vars.names == ["CODE", "FIRST_NAME", "SITE"])
    }

    @Test func dictionaryInitCanonicalizes() {
        let vars = TemplateVariables(["reset_link": "https://x/_resetpassword?code=a"])
        #expect(vars["RESET_LINK"] == "https://x/_resetpassword?code=a")
    }

    @Test func codableRoundTripsAsAFlatObject() throws {
        let vars: TemplateVariables = ["code": "1", "fist_name": "Ann"]
        let data = try JSONEncoder().encode(vars)
        let object = try JSONDecoder().decode([String: String].self, from: data)
        #expect(object == ["CODE": "1", "FIRST_NAME": "Ann"])
        #expect(try JSONDecoder().decode(TemplateVariables.self, from: Data(#"{"code":"9"}"#.utf8))["CODE"] == "9")
    }
}
