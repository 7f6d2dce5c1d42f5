import Testing
@testable import ResetPressMail

@Suite struct EmailAddressValidatorTests {
    @Test(arguments: [
        "a@b.co",
        "user@example.com",
        "first.last@example.com",
        "user+tag@sub.example.co.uk",
        "o'brien@example.ie",
        "x_y-z!#$%&*/=?^`{|}~@example.com",
        "1234567890@123.example.com",
        "user@xn--bcher-kva.example",
        "user@bücher.example",
        "user@例え.テスト",
        "user@пример.рф",
        "user@my-host.example",
        String(repeating: "a", count: 64) + "@example.com",
        "u@" + String(repeating: "d", count: 63) + ".com",
        String(repeating: "a", count: 64) + "@" + String(repeating: "b", count: 63) + "."
            + String(repeating: "c", count: 63) + "." + String(repeating: "d", count: 57) + ".com",
    ])
    func accepts(address: String) {
        #expect(EmailAddressValidator.isValid(address))
    }

    @Test(arguments: [
        "",
        "plain",
        "@example.com",
        "user@",
        "user@localhost",
        "user@@example.com",
        "a@b@example.com",
        "user @example.com",
        "user@exa mple.com",
        " user@example.com",
        "user@example.com ",
        "user@example.com\r\n",
        "user@example.com\nBcc: x@y.z",
        "us\ter@example.com",
        "user\u{0}@example.com",
        "user\u{7F}@example.com",
        "\"quoted\"@example.com",
        "user<@example.com",
        "user>@example.com",
        "user(comment)@example.com",
        "a,b@example.com",
        "a;b@example.com",
        "a:b@example.com",
        "a\\b@example.com",
        "a[b]@example.com",
        "user@[127.0.0.1]",
        "user@1.2.3.4",
        ".user@example.com",
        "user.@example.com",
        "us..er@example.com",
        "user@.example.com",
        "user@example.com.",
        "user@example..com",
        "user@-example.com",
        "user@example-.com",
        "user@exam_ple.com",
        "üser@example.com",
        "user@exa✓mple.com",
        "user@example.c😀m",
        String(repeating: "a", count: 65) + "@example.com",
        "u@" + String(repeating: "d", count: 64) + ".com",
        String(repeating: "a", count: 64) + "@" + String(repeating: "b", count: 63) + "."
            + String(repeating: "c", count: 63) + "." + String(repeating: "d", count: 58) + ".com",
        "user@" + String(repeating: "ü", count: 60) + ".com",
    ])
    func rejects(address: String) {
        #expect(!EmailAddressValidator.isValid(address))
    }
}
