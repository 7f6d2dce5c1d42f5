import Foundation

extension String {
    /// The text without leading and trailing spaces and tabs (`trimmingCharacters(in: .whitespaces)`),
    /// returned as it is when both ends are visible ASCII: Foundation's scan costs more than the rest of
    /// reading a request's email.
    func trimmingBlanks() -> String {
        guard let first = utf8.first, let last = utf8.last else { return self }
        // In ASCII, `.whitespaces` holds only the space and the tab.
        func isVisibleASCII(_ byte: UInt8) -> Bool { byte < 0x80 && byte != 0x20 && byte != 0x09 }
        return isVisibleASCII(first) && isVisibleASCII(last) ? self : trimmingCharacters(in: .whitespaces)
    }
}

extension Substring {
    /// The text without leading and trailing white space and line breaks
    /// (`trimmingCharacters(in: .whitespacesAndNewlines)`): ASCII white space is dropped byte by byte,
    /// and Foundation is asked only when an end that is left is not ASCII. Its scan cost a mail's
    /// subject line about 27k instructions.
    func trimmingWhiteSpaceAndNewlines() -> String {
        // In ASCII, `.whitespacesAndNewlines` holds the space and U+0009 to U+000D.
        func isWhite(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, isWhite(utf8[start]) { utf8.formIndex(after: &start) }
        while start < end, isWhite(utf8[utf8.index(before: end)]) { utf8.formIndex(before: &end) }
        guard start < end else { return "" }
        let core = self[start..<end]
        return utf8[start] < 0x80 && utf8[utf8.index(before: end)] < 0x80 ? String(core) : core.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
