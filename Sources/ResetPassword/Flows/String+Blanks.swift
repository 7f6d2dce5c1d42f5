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
