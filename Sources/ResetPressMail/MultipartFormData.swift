/// A `multipart/form-data` body (RFC 7578) built from text fields and files.
struct MultipartFormData {
    /// The boundary between parts: a fixed prefix and 128 random bits, so no content contains it.
    let boundary: String
    private var bytes: [UInt8] = []

    /// Creates an empty body with a fresh random boundary.
    init() {
        boundary = "=_ResetPressForm_" + RandomHex.make(byteCount: 16)
    }

    /// The `Content-Type` header value for this body.
    var contentType: String {
        "multipart/form-data; boundary=\"\(boundary)\""
    }

    /// Adds a text field. Names are fixed by the caller (ASCII, no quotes).
    mutating func addField(name: String, value: String) {
        appendPart(disposition: "form-data; name=\"\(name)\"", type: "text/plain; charset=utf-8", content: Array(value.utf8))
    }

    /// Adds a file field.
    mutating func addFile(name: String, fileName: String, type: String, content: [UInt8]) {
        appendPart(disposition: "form-data; name=\"\(name)\"; filename=\"\(fileName)\"", type: type, content: content)
    }

    /// The finished body, closing delimiter included.
    func finished() -> [UInt8] {
        bytes + Array("--\(boundary)--\r\n".utf8)
    }

    private mutating func appendPart(disposition: String, type: String, content: [UInt8]) {
        bytes += Array("--\(boundary)\r\nContent-Disposition: \(disposition)\r\nContent-Type: \(type)\r\n\r\n".utf8)
        bytes += content
        bytes += Array("\r\n".utf8)
    }
}
