// libFuzzer entry for multipart/form-data bodies: `MultipartFormFields` over MultipartKit's real
// `MultipartParser.swift`, both compiled against the ByteBuffer stand-in in Shims/NIOCore.
//
// Input: up to the first LF, the Content-Type header value; after it, the body. Without an LF the whole input
// is the body under `multipart/form-data; boundary=XyZ`. Checked besides "no crash": every field has a value
// (its name may be empty, as `=x` is in a urlencoded body), fields stay within `maxPairs`, and decoding the
// same input twice gives the same answer.

import NIOCore

/// Runs one input; traps (and so reports a crash) when an invariant breaks.
@_cdecl("LLVMFuzzerTestOneInput")
public func multipartFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    var contentType = "multipart/form-data; boundary=XyZ"
    var body = input[...]
    if let newline = input.firstIndex(of: 0x0A) {
        contentType = String(decoding: input[..<newline], as: UTF8.self)
        body = input[(newline + 1)...]
    }
    let header = HeaderValue(contentType)
    let maxPairs = 1_000
    let first = try? MultipartFormFields.decode(ByteBuffer(bytes: body), contentType: header, maxPairs: maxPairs)
    let second = try? MultipartFormFields.decode(ByteBuffer(bytes: body), contentType: header, maxPairs: maxPairs)
    guard let first else {
        precondition(second == nil, "the same body parsed once and failed once")
        return 0
    }
    precondition(first.count <= maxPairs, "more fields than allowed")
    precondition(first.allSatisfy { $0.1 != nil }, "a field without a value")
    let names: [String] = first.map(\.0)
    let values: [String?] = first.map(\.1)
    precondition(second?.map(\.0) == names && second?.map(\.1) == values, "answers differ")
    return 0
}
