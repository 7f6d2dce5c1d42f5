import MultipartKit
import NIOCore

/// Extracts the text fields of a `multipart/form-data` body with MultipartKit's streaming parser.
///
/// A part with a `filename` (a file upload) is ignored; any other part must be `form-data` with a `name` (which
/// may be empty, as `=x` in a urlencoded body) and a UTF-8 body. A part left unterminated, a syntax error, or
/// a missing/invalid boundary is `.malformed`.
enum MultipartFormFields {
    /// The longest boundary RFC 2046 allows.
    static let maxBoundaryLength = 70

    /// The text fields of `body`, in order.
    static func decode(_ body: ByteBuffer, contentType: HeaderValue, maxPairs: Int) throws(ParameterError) -> [(String, String?)] {
        guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty,
            boundary.utf8.count <= maxBoundaryLength, boundary.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
        else {
            throw .malformed(reason: "multipart body without a valid boundary")
        }
        guard parsesWithNonASCIIMasked(body.readableBytesView, boundary: boundary) else {
            throw .malformed(reason: "multipart syntax error")
        }
        let collector = PartCollector()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in collector.headers.append((name.lowercased(), value)) }
        parser.onBody = { chunk in
            collector.body.writeBuffer(&chunk)
            collector.pending = true
        }
        parser.onPartComplete = { collector.completePart() }
        do {
            try parser.execute(body)
        } catch {
            throw .malformed(reason: "multipart syntax error")
        }
        guard !collector.pending, collector.headers.isEmpty else {
            throw .malformed(reason: "multipart body ends inside a part")
        }
        var fields: [(String, String?)] = []
        for part in collector.parts {
            guard let disposition = part.headers.first(where: { $0.0 == "content-disposition" }).map({ HeaderValue($0.1) }),
                disposition.token == "form-data", let name = disposition.parameters["name"]
            else {
                throw .malformed(reason: "multipart part without a form-data name")
            }
            if disposition.parameters["filename"] != nil || disposition.parameters["filename*"] != nil {
                continue
            }
            guard let text = String(validating: part.body.readableBytesView, as: UTF8.self) else {
                throw .malformed(reason: "multipart field is not valid UTF-8")
            }
            fields.append((name, text))
            guard fields.count <= maxPairs else {
                throw .malformed(reason: "more than \(maxPairs) parameters")
            }
        }
        return fields
    }
}

extension MultipartFormFields {
    /// Whether MultipartKit parses a copy of `bytes` in which every byte above 0x7F is replaced by 0x7F.
    ///
    /// MultipartKit 4.7.1 indexes a 128-entry table with each header-name byte, so a byte above 0x7F there
    /// traps and kills the server. With a printable-ASCII boundary every parser state treats 0x7F exactly as
    /// it treats those bytes, except a header name, which refuses 0x7F with a syntax error: the copy fails
    /// exactly where the real parse would trap or fail, and a body that passes is safe to parse for real.
    /// A body without such bytes is not copied.
    static func parsesWithNonASCIIMasked(_ bytes: ByteBufferView, boundary: String) -> Bool {
        guard bytes.contains(where: { $0 > 0x7F }) else { return true }
        do {
            try MultipartParser(boundary: boundary).execute(bytes.map { min($0, 0x7F) })
            return true
        } catch {
            return false
        }
    }
}

/// Accumulates parts as MultipartKit's callbacks report them.
private final class PartCollector {
    var parts: [(headers: [(String, String)], body: ByteBuffer)] = []
    var headers: [(String, String)] = []
    var body = ByteBuffer()
    var pending = false

    func completePart() {
        parts.append((headers, body))
        headers = []
        body = ByteBuffer()
        pending = false
    }
}
