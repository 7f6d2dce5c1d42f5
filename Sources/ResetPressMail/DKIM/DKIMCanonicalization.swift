/// RFC 6376 "relaxed" canonicalization (§3.4.2 for header fields, §3.4.4 for the body), on a message's bytes.
///
/// Lines end at LF with an optional CR before it, so a message with CRLF line ends (as rendered and as sent)
/// and the same message with LF ones canonicalize alike.
enum DKIMCanonicalization {
    /// One header field as written: its name and its whole text (name, colon, value and any continuation lines,
    /// with their line breaks, without the final one).
    struct HeaderField: Equatable {
        /// The field name in lower case, without surrounding whitespace.
        var name: String
        /// The field as it appears in the message.
        var raw: [UInt8]
    }

    private static let space: UInt8 = 0x20
    private static let tab: UInt8 = 0x09
    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A
    private static let colon: UInt8 = 0x3A

    /// The header fields in order, and the body: everything after the first empty line (empty when none).
    static func split(_ message: [UInt8]) -> (headers: [HeaderField], body: ArraySlice<UInt8>) {
        var fields: [HeaderField] = []
        var current: [UInt8]?
        var start = message.startIndex
        while start < message.endIndex {
            let newline = message[start...].firstIndex(of: lf)
            let end = newline ?? message.endIndex
            var line = message[start..<end]
            if line.last == cr { line = line.dropLast() }
            let next = newline.map { $0 + 1 } ?? message.endIndex
            if line.isEmpty {
                if let field = current { fields.append(makeField(field)) }
                return (fields, message[next...])
            }
            if line.first == space || line.first == tab, current != nil {
                current?.append(contentsOf: [cr, lf])
                current?.append(contentsOf: line)
            } else {
                if let field = current { fields.append(makeField(field)) }
                current = Array(line)
            }
            start = next
        }
        if let field = current { fields.append(makeField(field)) }
        return (fields, message[message.endIndex...])
    }

    /// `field` canonicalized: name lower-cased, value unfolded, whitespace runs made one space, whitespace around
    /// the colon and at the end removed; no line break at the end.
    static func relaxedHeader(_ field: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(field)
        let colonIndex = bytes.firstIndex(of: colon) ?? bytes.endIndex
        var output = Array(trimmingWhitespace(bytes[..<colonIndex]).map { lowercased($0) })
        output.append(colon)
        guard colonIndex < bytes.endIndex else { return output }
        var value: [UInt8] = []
        var pendingSpace = false
        for byte in bytes[(colonIndex + 1)...] where byte != cr && byte != lf {
            if byte == space || byte == tab {
                pendingSpace = true
                continue
            }
            // A run of whitespace inside the value becomes one space; at either end it goes.
            if pendingSpace, !value.isEmpty { value.append(space) }
            pendingSpace = false
            value.append(byte)
        }
        return output + value
    }

    /// `body` canonicalized: whitespace runs in a line made one space, whitespace at line ends removed, empty
    /// lines at the end removed, every remaining line ended with CRLF (an empty body stays empty).
    static func relaxedBody(_ body: some Collection<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var keptLength = 0
        var line: [UInt8] = []
        func endLine() {
            while let last = line.last, last == space || last == tab || last == cr { line.removeLast() }
            var pendingSpace = false
            for byte in line {
                if byte == space || byte == tab {
                    pendingSpace = true
                } else {
                    if pendingSpace { output.append(space) }
                    pendingSpace = false
                    output.append(byte)
                }
            }
            output.append(contentsOf: [cr, lf])
            if !line.isEmpty { keptLength = output.count }
            line.removeAll(keepingCapacity: true)
        }
        for byte in body {
            if byte == lf { endLine() } else { line.append(byte) }
        }
        if !line.isEmpty { endLine() }
        output.removeSubrange(keptLength...)
        return output
    }

    private static func makeField(_ raw: [UInt8]) -> HeaderField {
        let colonIndex = raw.firstIndex(of: colon) ?? raw.endIndex
        let name = String(decoding: trimmingWhitespace(raw[..<colonIndex]), as: UTF8.self).lowercased()
        return HeaderField(name: name, raw: raw)
    }

    private static func trimmingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == space || first == tab { slice = slice.dropFirst() }
        while let last = slice.last, last == space || last == tab { slice = slice.dropLast() }
        return slice
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }
}
