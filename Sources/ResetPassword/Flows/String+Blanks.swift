import Foundation

extension String {
    /// The text without leading and trailing spaces and tabs (`trimmingCharacters(in: .whitespaces)`):
    /// Foundation's scan cost more than the rest of reading a request's email.
    func trimmingBlanks() -> String {
        // In ASCII, `.whitespaces` holds only the space and the tab.
        self[...].trimming(.whitespaces) { $0 == 0x20 || $0 == 0x09 }
    }
}

extension Substring {
    /// The text without leading and trailing white space and line breaks
    /// (`trimmingCharacters(in: .whitespacesAndNewlines)`): its scan cost a mail's subject line
    /// about 27k instructions.
    func trimmingWhiteSpaceAndNewlines() -> String {
        // In ASCII, `.whitespacesAndNewlines` holds the space and U+0009 to U+000D.
        trimming(.whitespacesAndNewlines) { $0 == 0x20 || (0x09...0x0D).contains($0) }
    }

    /// `trimmingCharacters(in: set)`, where `isASCIIMember` says which ASCII bytes `set` holds: ASCII
    /// members are dropped from the ends byte by byte, and Foundation is asked only when an end that
    /// is left is not ASCII. A text with visible ASCII ends comes back as it is, uncopied.
    fileprivate func trimming(_ set: CharacterSet, ascii isASCIIMember: (UInt8) -> Bool) -> String {
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, isASCIIMember(utf8[start]) { utf8.formIndex(after: &start) }
        while start < end, isASCIIMember(utf8[utf8.index(before: end)]) { utf8.formIndex(before: &end) }
        guard start < end else { return "" }
        let core = self[start..<end]
        return utf8[start] < 0x80 && utf8[utf8.index(before: end)] < 0x80 ? String(core) : core.trimmingCharacters(in: set)
    }
}
