// libFuzzer entry for the strict JSON parser behind request bodies (built with the ResetPressHTTP parser files).
//
// Input: the bytes are a request body. Checked besides "no crash": the parameter reader accepts exactly the
// documents that parse as objects; a parsed document serializes to JSON that parses back to the same value.

/// Runs one input; traps (and so reports a crash) when an invariant breaks.
@_cdecl("LLVMFuzzerTestOneInput")
public func jsonFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var documentParser = JSONParser(bytes: bytes)
    let document = try? documentParser.parseDocument()
    var parameterParser = JSONParser(bytes: bytes)
    let members = try? parameterParser.parseParameterObject()

    if case .object(let object)? = document {
        guard let members else { preconditionFailure("an object document was refused as parameters") }
        precondition(Set(members.map(\.0)) == Set(object.map(\.0)), "parameter names differ from the object's")
    } else {
        precondition(members == nil, "parameters read from a document that is not an object")
    }

    guard let document, isFinite(document) else { return 0 }
    let text = document.serialized()
    let again = Array(text.utf8).withUnsafeBytes { serialized in
        var parser = JSONParser(bytes: serialized)
        return try? parser.parseDocument()
    }
    precondition(again == document, "serialized JSON does not parse back to the same value")
    return 0
}

/// Whether every number in `value` is finite (an out-of-range literal such as `1e999` serializes as `null`).
private func isFinite(_ value: JSONValue) -> Bool {
    switch value {
    case .number(let number): number.isFinite
    case .array(let elements): elements.allSatisfy(isFinite)
    case .object(let members): members.allSatisfy { isFinite($0.1) }
    case .null, .bool, .string: true
    }
}
