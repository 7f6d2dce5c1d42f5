import Testing
@testable import ResetPressMail

/// RFC 6376 relaxed canonicalization, checked against the RFC's own example and the edge cases it names.
@Suite struct DKIMCanonicalizationTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// RFC 6376 §3.4.6, the relaxed half of the example.
    @Test func theRFCExampleCanonicalizesAsTheRFCSays() {
        let message = bytes("A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n")
        let (fields, body) = DKIMCanonicalization.split(message)
        #expect(fields.map(\.name) == ["a", "b"])
        #expect(fields.map { text(DKIMCanonicalization.relaxedHeader($0.raw)) } == ["a:X", "b:Y Z"])
        #expect(text(DKIMCanonicalization.relaxedBody(body)) == " C\r\nD E\r\n")
    }

    @Test func foldedHeadersStayOneFieldAndUnfold() {
        let message = bytes("Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n =?utf-8?q?_aus_K=C3=B6ln?=\r\nTo: a@b.c\r\n\r\nHi\r\n")
        let (fields, body) = DKIMCanonicalization.split(message)
        #expect(fields.map(\.name) == ["subject", "to"])
        #expect(text(fields[0].raw) == "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n =?utf-8?q?_aus_K=C3=B6ln?=")
        #expect(text(DKIMCanonicalization.relaxedHeader(fields[0].raw)) == "subject:=?utf-8?q?Gr=C3=BC=C3=9Fe?= =?utf-8?q?_aus_K=C3=B6ln?=")
        #expect(text(Array(body)) == "Hi\r\n")
    }

    @Test func headerNamesAreLowerCasedAndWhitespaceAroundTheColonGoes() {
        #expect(text(DKIMCanonicalization.relaxedHeader(bytes("Content-Type \t:  \t text/plain;\r\n\t charset=utf-8 \t"))) == "content-type:text/plain; charset=utf-8")
        #expect(text(DKIMCanonicalization.relaxedHeader(bytes("X-Empty:   "))) == "x-empty:")
        // Only the name is lower-cased.
        #expect(text(DKIMCanonicalization.relaxedHeader(bytes("MIME-Version: 1.0 (Mixed Case)"))) == "mime-version:1.0 (Mixed Case)")
    }

    @Test func lfLineEndsCanonicalizeLikeCRLF() {
        let crlf = DKIMCanonicalization.split(bytes("From: a@b.c\r\nTo: d@e.f\r\n\r\nline 1 \r\nline  2\r\n"))
        let lf = DKIMCanonicalization.split(bytes("From: a@b.c\nTo: d@e.f\n\nline 1 \nline  2\n"))
        #expect(crlf.headers.map { DKIMCanonicalization.relaxedHeader($0.raw) } == lf.headers.map { DKIMCanonicalization.relaxedHeader($0.raw) })
        #expect(DKIMCanonicalization.relaxedBody(crlf.body) == DKIMCanonicalization.relaxedBody(lf.body))
        #expect(text(DKIMCanonicalization.relaxedBody(lf.body)) == "line 1\r\nline 2\r\n")
    }

    @Test(arguments: [
        ("", ""),
        ("\r\n\r\n", ""),
        (" \t \r\n", ""),
        ("last line without break", "last line without break\r\n"),
        ("a\r\n\r\nb\r\n\r\n \r\n", "a\r\n\r\nb\r\n"),
        ("=3D soft=\r\nbreak\t\r\n", "=3D soft=\r\nbreak\r\n"),
    ])
    func bodyEdgeCases(body: String, expected: String) {
        #expect(text(DKIMCanonicalization.relaxedBody(bytes(body))) == expected)
    }

    @Test func aMessageWithoutBodyHasAnEmptyBody() {
        let (fields, body) = DKIMCanonicalization.split(bytes("From: a@b.c\r\nTo: d@e.f\r\n"))
        #expect(fields.map(\.name) == ["from", "to"])
        #expect(body.isEmpty)
    }
}
