import Testing
@testable import ResetPressMail

@Suite struct MessageIDTests {
    @Test(arguments: [
        ("<abc.1@example.com>", "<abc.1@example.com>"),
        ("abc@example.com", "<abc@example.com>"),
        ("<a b\r\n@ex ample.com>", "<ab@example.com>"),
        ("x!#$%&'*+-/=?^_`{|}~y@host", "<x!#$%&'*+-/=?^_`{|}~y@host>"),
        ("ünï@cödé.org", "<n@cd.org>"),
    ])
    func keepsTheAllowedCharactersInBrackets(id: String, expected: String) {
        #expect(MessageID.normalized(id, fallbackDomain: "fallback.example") == expected)
    }

    @Test(arguments: ["", "no-at-sign", "two@at@signs", "@right-only", "left-only@", "<>", "é@ü"])
    func anIdWithNothingUsableOnEitherSideIsReplaced(id: String) {
        let replaced = MessageID.normalized(id, fallbackDomain: "Fallback.Example")
        #expect(replaced.wholeMatch(of: /<[0-9a-f]{32}@fallback\.example>/) != nil, "\(id) became \(replaced)")
    }
}
