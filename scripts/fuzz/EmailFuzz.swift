// libFuzzer entry for email validation: `EmailAddressValidator` (ResetPressMail, with its Punycode) and
// `EmailAddress.isPlausible` (ResetPressUsers), compiled together.
//
// Input: the bytes are a candidate address. Checked besides "no crash": a valid address is plausible, has
// exactly one `@`, no CR/LF/NUL or header specials, and an ASCII (`xn--`) domain of at most 254 octets in all.

/// Runs one input; traps (and so reports a crash) when an invariant breaks.
@_cdecl("LLVMFuzzerTestOneInput")
public func emailFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let candidate = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let plausible = EmailAddress.isPlausible(candidate)
    guard EmailAddressValidator.isValid(candidate) else { return 0 }
    precondition(plausible, "a valid address is not plausible")
    precondition(candidate.utf8.count { $0 == UInt8(ascii: "@") } == 1, "not exactly one @")
    let forbidden = Set("\r\n\0<>(),;:\\\"[] \t".utf8)
    precondition(!candidate.utf8.contains(where: forbidden.contains), "a header special in a valid address")
    guard let at = candidate.lastIndex(of: "@"),
          let ascii = Punycode.asciiDomain(String(candidate[candidate.index(after: at)...])) else {
        preconditionFailure("a valid address without an ASCII domain")
    }
    precondition(ascii.utf8.allSatisfy { $0 < 0x80 }, "the ASCII domain is not ASCII")
    precondition(candidate[..<at].utf8.count + 1 + ascii.utf8.count <= EmailAddressValidator.maxLength, "too long")
    return 0
}
