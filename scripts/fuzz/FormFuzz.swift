// libFuzzer entry for the urlencoded decoder used for query strings and form bodies.
//
// Input: the bytes are a query string or body. Checked besides "no crash": at most `maxPairs` pairs, no empty
// name, and re-encoding the decoded pairs (every byte percent-encoded) decodes to the same pairs.

/// Runs one input; traps (and so reports a crash) when an invariant breaks.
@_cdecl("LLVMFuzzerTestOneInput")
public func formFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let maxPairs = 1_000
    guard let pairs = try? FormURLDecoder.decode(bytes, maxPairs: maxPairs) else { return 0 }
    precondition(pairs.count <= maxPairs, "more pairs than allowed")
    precondition(pairs.allSatisfy { !$0.0.isEmpty && $0.1 != nil }, "empty name or missing value")

    let encoded = pairs.map { percentEncoded($0.0) + "=" + percentEncoded($0.1 ?? "") }.joined(separator: "&")
    guard let again = try? FormURLDecoder.decode(Array(encoded.utf8), maxPairs: maxPairs) else {
        preconditionFailure("re-encoded pairs were refused")
    }
    precondition(again.map(\.0) == pairs.map(\.0) && again.map(\.1) == pairs.map(\.1), "round trip changed the pairs")
    return 0
}

/// `text` with every byte written as `%XX`.
private func percentEncoded(_ text: String) -> String {
    let digits = Array("0123456789ABCDEF".utf8)
    var output: [UInt8] = []
    for byte in text.utf8 {
        output += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
    }
    return String(decoding: output, as: UTF8.self)
}
