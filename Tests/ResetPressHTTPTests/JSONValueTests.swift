import Foundation
import NIOCore
import Testing

@testable import ResetPressHTTP

struct JSONValueTests {
    @Test func parsesAndSerializesInInsertionOrder() throws {
        let text = #"{"z":1,"a":[true,false,null],"m":{"b":"x","a":2.5},"e":-0.125}"#
        let value = try JSONValue(parsing: text)
        #expect(value.serialized() == text)
        #expect(value["z"] == 1)
        #expect(value["a"]?[0] == true)
        #expect(value["m"]?["b"]?.stringValue == "x")
        #expect(value["missing"] == nil)
    }

    @Test func whitespaceIsDroppedAndDuplicatesKeepFirstPositionLastValue() throws {
        let value = try JSONValue(parsing: " { \"a\" : 1 ,\n \"b\" : 2 , \"a\" : 3 } ")
        #expect(value.serialized() == #"{"a":3,"b":2}"#)
    }

    @Test func numbersSerializeWithoutSpuriousFractions() throws {
        #expect(JSONValue.number(56).serialized() == "56")
        #expect(JSONValue.number(-3).serialized() == "-3")
        #expect(JSONValue.number(0.5).serialized() == "0.5")
        #expect(JSONValue.number(1e20).serialized() == "1e+20")
        #expect(JSONValue.number(.nan).serialized() == "null")
        #expect(try JSONValue(parsing: "1E3") == 1000)
    }

    @Test func stringsAreEscapedAndUnescaped() throws {
        let value: JSONValue = .string("a\"b\\c/d\n\t\u{01}é\u{2028}😀")
        let text = value.serialized()
        #expect(text == #""a\"b\\c/d\n\t\u0001é\u2028😀""#)
        #expect(try JSONValue(parsing: text) == value)
        #expect(try JSONValue(parsing: #""\ud83d\ude00 \u00e9 \/""#) == "😀 é /")
    }

    @Test(arguments: [
        "", "{", "[1,]", #"{"a":1,}"#, "01", "1.", "-", "tru", #"{"a" 1}"#, "[1] 2", "'x'",
        #""\ud83d""#, #""\ude00""#, #""\x""#, "\"a\u{01}\"", "NaN", "{1:2}", #""unterminated"#,
    ])
    func rejectsInvalidText(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func rejectsInvalidUTF8() {
        var buffer = ByteBuffer(string: "\"a")
        buffer.writeBytes([0xC3, 0x28])
        buffer.writeString("\"")
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: buffer) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: Data([0x22, 0xFF, 0x22])) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let fine = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(try JSONValue(parsing: fine).arrayElements?.count == 1)
    }

    @Test func objectEqualityIgnoresOrder() {
        let left: JSONValue = ["a": 1, "b": "x"]
        let right: JSONValue = ["b": "x", "a": 1]
        #expect(left == right)
        #expect(left.serialized() != right.serialized())
        #expect(left != ["a": 1])
    }

    @Test func settingReplacesInPlaceOrAppends() {
        let value: JSONValue = ["a": 1, "b": 2]
        #expect(value.setting("a", to: "x").serialized() == #"{"a":"x","b":2}"#)
        #expect(value.setting("c", to: nil).serialized() == #"{"a":1,"b":2,"c":null}"#)
        #expect(JSONValue.string("s").setting("a", to: 1) == "s")
    }

    @Test func codableRoundTrip() throws {
        let value: JSONValue = ["s": "x", "n": 2.5, "b": true, "z": nil, "a": [1, "two"], "o": ["k": "v"]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
        #expect(try JSONValue(parsing: data) == value)
    }
}
