import Foundation
import Hummingbird
import NIOCore
import Testing

@testable import ResetPressHTTP
import ResetPressTestSupport

/// Regression and property tests for hostile request bodies (issue 7); `scripts/fuzz/run` fuzzes the same
/// parsers with libFuzzer, these run the properties on seeded random inputs in every test run.
@Suite struct HostileParameterTests {
    private func parse(_ body: [UInt8], contentType: String?) throws(ParameterError) -> RequestParameters {
        let headers: HTTPFields = contentType.map { [.contentType: $0] } ?? [:]
        return try RequestParameters.parse(request: makeRequest("/", headers: headers), body: ByteBuffer(bytes: body), limit: 1 << 20)
    }

    // MARK: MultipartKit header-name crash

    /// MultipartKit 4.7.1 indexes a 128-entry table with each header-name byte: a byte above 0x7F there
    /// trapped and killed the server. Found by the multipart fuzz target; fixed in `MultipartFormFields`.
    @Test(arguments: [
        Array("--b\r\n".utf8) + [0xFF] + Array(": x\r\n\r\nv\r\n--b--\r\n".utf8),
        Array("--b\r\nContent-Disposition: form-data; name=\"a\"\r\nX-".utf8) + [0xC3, 0xA9] + Array(": y\r\n\r\nv\r\n--b--\r\n".utf8),
        Array("preamble\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b\r\n".utf8) + [0x80] + Array(":\r\n\r\n".utf8),
    ])
    func nonASCIIHeaderNameIsMalformedNotACrash(_ body: [UInt8]) {
        #expect(throws: ParameterError.malformed(reason: "multipart syntax error")) {
            try parse(body, contentType: "multipart/form-data; boundary=b")
        }
    }

    /// A delimiter MultipartKit's matcher skips (`-----z` with boundary `--z`) must not hide a later header block.
    @Test func headerNameAfterASkippedDelimiterIsMalformedNotACrash() {
        let body = Array("-----z\r\nx: abc\r\n----z\r\n".utf8) + [0xFF] + Array(": v\r\n\r\nbody\r\n------z--".utf8)
        #expect(throws: ParameterError.self) { try parse(body, contentType: "multipart/form-data; boundary=\"--z\"") }
    }

    @Test func nonASCIIHeaderValuesAndFieldsStillParse() throws {
        let body = "--b\r\nContent-Disposition: form-data; name=\"nämé\"\r\n\r\nvälüe ✓\r\n"
            + "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"résumé.pdf\"\r\n\r\n\u{FF}\r\n--b--\r\n"
        #expect(try parse(Array(body.utf8), contentType: "multipart/form-data; boundary=b") == ["nämé": "välüe ✓"])
    }

    @Test(arguments: ["bé", "a\tb"])
    func boundaryOutsidePrintableASCIIIsMalformed(_ boundary: String) {
        #expect(throws: ParameterError.malformed(reason: "multipart body without a valid boundary")) {
            try parse(Array("--\(boundary)\r\n\r\n".utf8), contentType: "multipart/form-data; boundary=\"\(boundary)\"")
        }
    }

    // MARK: Properties on seeded random input

    @Test func randomMultipartBodiesParseOrFailCleanly() {
        var random = SeededGenerator(seed: 0x5EED_0007)
        let fragments: [[UInt8]] = [
            Array("--XyZ".utf8), Array("\r\n".utf8), Array("\r".utf8), Array("\n".utf8), Array("--".utf8),
            Array("Content-Disposition: form-data; name=\"email\"".utf8), Array("Content-Disposition: form-data; name=\"f\"; filename=\"x\"".utf8),
            Array("Content-Type: text/plain".utf8), Array(": ".utf8), Array("a@b.co".utf8), [0xFF], [0xC3, 0xA9], [0x80], [0x7F], [0x00],
            Array("X".utf8), Array(" ".utf8),
        ]
        for _ in 0..<3000 {
            var body: [UInt8] = []
            for _ in 0..<Int.random(in: 0...24, using: &random) {
                body += fragments.randomElement(using: &random) ?? []
            }
            checkParsesOrFailsCleanly(body, contentType: "multipart/form-data; boundary=XyZ")
        }
    }

    @Test func randomJSONObjectsRoundTripAndMutationsFailCleanly() throws {
        var random = SeededGenerator(seed: 0x5EED_0123)
        for _ in 0..<1500 {
            var object: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                object[randomText(&random)] = randomText(&random)
            }
            let data = Array(try JSONSerialization.data(withJSONObject: object))
            let parsed = try parse(data, contentType: "application/json")
            #expect(parsed.values == object)
            var mutated = data
            for _ in 0..<Int.random(in: 1...4, using: &random) where !mutated.isEmpty {
                let index = Int.random(in: 0..<mutated.count, using: &random)
                mutated[index] = [0x22, 0x5C, 0x7B, 0x7D, 0x3A, 0x2C, 0xFF, 0xC3, 0x00, 0x75].randomElement(using: &random) ?? 0
            }
            checkParsesOrFailsCleanly(mutated, contentType: "application/json")
            checkParsesOrFailsCleanly(mutated, contentType: "application/x-www-form-urlencoded")
        }
    }

    @Test func randomFormPairsRoundTripAndMutationsFailCleanly() throws {
        var random = SeededGenerator(seed: 0x5EED_0456)
        for _ in 0..<1500 {
            var expected: [String: String] = [:]
            var encoded: [String] = []
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                let name = "n" + randomText(&random)
                let value = randomText(&random)
                expected[name] = value
                encoded.append(percentEncoded(name) + "=" + percentEncoded(value))
            }
            let body = Array(encoded.joined(separator: "&").utf8)
            #expect(try parse(body, contentType: "application/x-www-form-urlencoded").values == expected)
            var mutated = body
            for _ in 0..<Int.random(in: 1...4, using: &random) where !mutated.isEmpty {
                let index = Int.random(in: 0..<mutated.count, using: &random)
                mutated[index] = Array("%&=+%F0%9Fz\u{7F}".utf8).randomElement(using: &random) ?? 0
            }
            checkParsesOrFailsCleanly(mutated, contentType: nil)
        }
    }

    /// Parses `body` and checks that it gives at most `maxCount` parameters or a `ParameterError`.
    private func checkParsesOrFailsCleanly(_ body: [UInt8], contentType: String?) {
        do {
            let parameters = try parse(body, contentType: contentType)
            #expect(parameters.count <= RequestParameters.maxCount)
        } catch {
            #expect(error.apiError.code == 123)
        }
    }

    /// Short text mixing ASCII, controls, escapes' characters, non-ASCII and an astral scalar.
    private func randomText(_ random: inout SeededGenerator) -> String {
        let alphabet: [Character] = ["a", "Z", "0", " ", "+", "%", "&", "=", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "é", "✓", "😀", "\u{2028}"]
        return String((0..<Int.random(in: 0...8, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" })
    }

    /// `text` with every UTF-8 byte written as `%XX`.
    private func percentEncoded(_ text: String) -> String {
        text.utf8.map { String(format: "%%%02X", $0) }.joined()
    }
}
